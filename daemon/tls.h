/* The web server's certificate and key, checked before libwebsockets loads them. */
#ifndef SC_TLS_H
#define SC_TLS_H

#include <stdbool.h>

#include "diag.h"
#include "model.h"

/* Checks what libwebsockets will load for http.tls: both files readable, the
 * certificate (chain) in PEM, the private key in PEM without a passphrase,
 * and the key the certificate's own. Each problem is one error in d at
 * "http.tls.cert" or "http.tls.key" naming the file; an expired certificate
 * is a warning. tls is borrowed. Does nothing and returns true when TLS is
 * off; otherwise returns false when an error was added. */
bool sc_tls_check(const rd_tls_t *tls, rd_diags_t *d);

#endif
