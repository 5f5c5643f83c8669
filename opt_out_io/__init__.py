"""The one place where the warehouse touches files outside its database.

SQL does the rules; this package does what SQL is the wrong tool for:

* ``landing_listing`` — list every entry of the landing area, with a reason for anything
  that will not be read (a DuckDB function the build calls; the loader for other engines
  uses the same code);
* ``files`` — write a file privately and atomically (every file the project writes goes
  through it);
* ``publication`` / ``analyst_copy`` — the files a build writes once its checks passed
  (called by the Python models in ``models/exports/``);
* ``landing_export`` — the landing files parsed for PostgreSQL and Spark.

Nothing here ever prints or logs an NHS number.
"""
