/* cli — what voucherd and voucherctl share on the command line: finding
 * and loading the configuration (-c FILE, else $VOUCHER_CONF). */
#ifndef CLI_H
#define CLI_H

struct config;

/* Loads the configuration named by "-c FILE" at argv[1..2] or by
 * $VOUCHER_CONF, environment overrides applied.  Returns the index of the
 * first argument after the options, or -1 after printing a one-line
 * message to stderr. */
int cli_load_config(int argc, char **argv, struct config *cfg);

#endif
