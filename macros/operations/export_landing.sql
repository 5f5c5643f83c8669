{#- For engines that cannot read files (run by python -m opt_out_io load-landing on an in-memory DuckDB,
    target landing_reader): parse every landing file exactly as the DuckDB build does and
    write to `output_dir` the listing (`files.<format>`: every entry, with the problem that
    keeps it from being read) and, per feed, its lines (`<feed>.<format>`). Nothing is
    judged here: which files were already received is decided by the build. -#}
{% macro export_landing(output_dir, file_format='csv') %}
    {%- if file_format not in ['csv', 'parquet'] -%}
        {{ exceptions.raise_compiler_error("export_landing: file_format must be csv or parquet, not " ~ file_format) }}
    {%- endif -%}
    {%- if target.name != 'landing_reader' -%}
        {{ exceptions.raise_compiler_error(
            "export_landing runs on the empty in-memory DuckDB of target landing_reader, not on " ~ target.name) }}
    {%- endif -%}
    {#- No ledger: every file is new to the engine; its build decides what it received. -#}
    {%- do register_landing_readers(none) -%}
    {%- set exports = {'files': "select feed, source_file, size, modified_at, content_hash, problem from "
                                ~ landing_files_relation()} -%}
    {%- for feed in landing_feeds() -%}
        {%- do exports.update({feed: "select * from landing_" ~ feed ~ "()"}) -%}
    {%- endfor -%}
    {%- for name, query in exports.items() -%}
        {%- do run_query("copy (" ~ query ~ " order by all) to "
                         ~ sql_string_literal(output_dir ~ '/' ~ name ~ '.' ~ file_format) ~ " (format "
                         ~ file_format ~ (", header true" if file_format == 'csv' else "") ~ ")") -%}
    {%- endfor -%}
{% endmacro %}
