/* `showcallerd --import` and `--export-csv`: a spreadsheet or an Ontime project to a rundown
 * document, and a rundown to CSV, on stdout. */
#ifndef SC_IMPORT_CLI_H
#define SC_IMPORT_CLI_H

/* Reads path as format ("csv", "ontime", or NULL: from the name, .csv or .json) and prints
 * the rundown document to stdout, findings to stderr as --check prints them (errors first).
 * With config_path, the config is loaded as --check loads it and cue messages become the
 * payload their target's kind takes. Returns the exit code: 0 imported (warnings allowed),
 * 1 errors, 2 the format cannot be told. */
int sc_import_main(const char *path, const char *format, const char *config_path);

/* Reads the rundown file at path, checks it, and prints it as CSV to stdout. Returns 0, or 1
 * when it cannot be read or is not a valid rundown (the errors on stderr). */
int sc_export_csv_main(const char *path);

#endif
