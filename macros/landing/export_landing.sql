{#- For engines that cannot read files (run by scripts/load_landing.py on an in-memory DuckDB):
    parse every landing file exactly as the DuckDB build does and write, per feed, its
    lines (`<feed>.<format>`) and its file list (`<feed>_files.<format>`) to `output_dir`.
    Nothing is judged here: which files were already received is decided by the build. -#}
{% macro export_landing(output_dir, file_format='csv') %}
    {%- if file_format not in ['csv', 'parquet'] -%}
        {{ exceptions.raise_compiler_error("export_landing: file_format must be csv or parquet, not " ~ file_format) }}
    {%- endif -%}
    {%- if load_relation(api.Relation.create(database=target.get('database'), schema='intermediate',
                                             identifier='int_landing_files_received')) is not none -%}
        {{ exceptions.raise_compiler_error("export_landing runs on an empty in-memory DuckDB (target landing_reader), not on a warehouse") }}
    {%- endif -%}
    {%- do register_landing_readers() -%}
    {%- for feed in landing_feeds() -%}
        {%- for name in [feed, feed ~ '_files'] -%}
            {%- set path = output_dir ~ '/' ~ name ~ '.' ~ file_format -%}
            {%- do run_query("copy (select * from landing_" ~ name ~ "() order by all) to "
                             ~ sql_string_literal(path) ~ " (format " ~ file_format
                             ~ (", header true" if file_format == 'csv' else "") ~ ")") -%}
        {%- endfor -%}
    {%- endfor -%}
{% endmacro %}
