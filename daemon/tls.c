/* The web server's certificate and key: checked with OpenSSL, as libwebsockets will load them. */
#include "tls.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* When libwebsockets cannot load a file, all the daemon learns is that
 * lws_create_vhost() failed, which a busy port also causes, and --check runs
 * no libwebsockets at all. So the daemon asks OpenSSL the questions lws will
 * ask (SSL_CTX_use_certificate_chain_file, SSL_CTX_use_PrivateKey_file, the
 * key against the certificate) first, and can name the file at fault. */

static bool readable(const char *path, const char *where, rd_diags_t *d)
{
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f) {
        rd_diag_add(d, RD_ERROR, where, "cannot read \"%s\": %s", path, strerror(errno));
        return false;
    }
    bool regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
    fclose(f);
    if (!regular) {
        rd_diag_add(d, RD_ERROR, where, "\"%s\" is not a regular file", path);
        return false;
    }
    return true;
}

/* OpenSSL's reason for a failure, and an empty error queue after. The
 * first error queued is the telling one ("no start line", "bad decrypt");
 * the last is only "PEM lib". */
static const char *ssl_reason(void)
{
    const char *r = ERR_reason_error_string(ERR_peek_error());
    ERR_clear_error();
    return r ? r : "unknown error";
}

/* A key with a passphrase would make OpenSSL prompt on the terminal; the
 * daemon has nobody to ask, so it refuses such a key instead. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return 0;
}

static void check_expiry(X509 *x, const char *path, rd_diags_t *d)
{
    const ASN1_TIME *end = X509_get0_notAfter(x);
    struct tm tm;
    char when[32] = "?";
    if (end && ASN1_TIME_to_tm(end, &tm) == 1)
        strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
    if (end && X509_cmp_current_time(end) < 0)
        rd_diag_add(d, RD_WARNING, "http.tls.cert",
                    "the certificate in \"%s\" expired on %s; browsers will refuse it", path, when);
}

bool sc_tls_check(const rd_tls_t *tls, rd_diags_t *d)
{
    if (!tls->cert)
        return true;
    size_t before = d->errors;
    bool cert_ok = readable(tls->cert, "http.tls.cert", d);
    bool key_ok = readable(tls->key, "http.tls.key", d);

    /* One context per file, so a key that does not match the certificate is
     * reported as that rather than as an unreadable key. */
    SSL_CTX *cert_ctx = cert_ok ? SSL_CTX_new(TLS_server_method()) : NULL;
    SSL_CTX *key_ctx = key_ok ? SSL_CTX_new(TLS_server_method()) : NULL;
    if ((cert_ok && !cert_ctx) || (key_ok && !key_ctx)) {
        rd_diag_add(d, RD_ERROR, "http.tls", "OpenSSL cannot start: %s", ssl_reason());
        cert_ok = key_ok = false;
    }
    if (cert_ok && SSL_CTX_use_certificate_chain_file(cert_ctx, tls->cert) != 1) {
        rd_diag_add(d, RD_ERROR, "http.tls.cert", "\"%s\" is not a PEM certificate (OpenSSL: %s)",
                    tls->cert, ssl_reason());
        cert_ok = false;
    }
    if (key_ok) {
        SSL_CTX_set_default_passwd_cb(key_ctx, no_passphrase);
        if (SSL_CTX_use_PrivateKey_file(key_ctx, tls->key, SSL_FILETYPE_PEM) != 1) {
            rd_diag_add(d, RD_ERROR, "http.tls.key",
                        "\"%s\" is not a PEM private key without a passphrase (OpenSSL: %s)",
                        tls->key, ssl_reason());
            key_ok = false;
        }
    }
    X509 *x = cert_ok ? SSL_CTX_get0_certificate(cert_ctx) : NULL;
    if (x)
        check_expiry(x, tls->cert, d);
    if (x && key_ok && X509_check_private_key(x, SSL_CTX_get0_privatekey(key_ctx)) != 1) {
        rd_diag_add(d, RD_ERROR, "http.tls.key",
                    "\"%s\" is not the key of the certificate in \"%s\"", tls->key, tls->cert);
        ERR_clear_error();
    }
    SSL_CTX_free(cert_ctx);
    SSL_CTX_free(key_ctx);
    return d->errors == before;
}
