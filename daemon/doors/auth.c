/* Tokens: generating and keeping the control token when the config names none. */
#include "auth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

char *sc_auth_control_token(const char *configured, const char *data_dir, bool *generated,
                            char *err, size_t errlen)
{
    *generated = false;
    if (configured)
        return rd_xstrdup(configured);
    char path[4096];
    snprintf(path, sizeof path, "%s/control_token", data_dir);
    FILE *f = fopen(path, "r");
    if (f) {
        char buf[256] = "";
        char *ok = fgets(buf, sizeof buf, f);
        fclose(f);
        buf[strcspn(buf, "\r\n")] = '\0';
        if (ok && strlen(buf) >= 16)
            return rd_xstrdup(buf);
    }
    unsigned char raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        snprintf(err, errlen, "cannot get random bytes: %s", strerror(errno));
        return NULL;
    }
    char token[33];
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(token + 2 * i, 3, "%02x", raw[i]);
    mkdir(data_dir, 0755);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, token, 32) != 32 || write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    close(fd);
    *generated = true;
    return rd_xstrdup(token);
}

bool sc_auth_token_equal(const char *presented, const char *expected)
{
    if (!presented || !expected)
        return false;
    size_t a = strlen(presented), b = strlen(expected);
    /* Compare every byte of the expected token whatever the input, so the
     * time taken says nothing about how much of it was right. */
    unsigned char diff = (unsigned char)(a != b);
    for (size_t i = 0; i < b; i++)
        diff |= (unsigned char)(expected[i] ^ (i < a ? presented[i] : 0));
    return diff == 0;
}

sc_role_t sc_auth_role(const sc_tokens_t *t, const char *presented)
{
    if (sc_auth_token_equal(presented, t->control))
        return SC_ROLE_CONTROL;
    if (!t->view || sc_auth_token_equal(presented, t->view))
        return SC_ROLE_VIEW;
    return SC_ROLE_NONE;
}
