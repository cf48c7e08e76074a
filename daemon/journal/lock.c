/* The data_dir lock: flock on a small text file that names its holder. */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "xalloc.h"

/* The text is written whole at offset 0, padded to a fixed size, so a
 * rewrite never leaves the tail of a longer earlier text behind. */
#define TEXT_SIZE 384

struct sc_lock {
    int fd;
    long pid;
    char started[40];
};

static void read_info(int fd, sc_lock_info_t *out)
{
    memset(out, 0, sizeof *out);
    char buf[TEXT_SIZE + 1];
    ssize_t n = pread(fd, buf, TEXT_SIZE, 0);
    if (n <= 0)
        return;
    buf[n] = '\0';
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        char *sp = strchr(line, ' ');
        if (!sp)
            continue;
        *sp = '\0';
        const char *v = sp + 1;
        size_t vl = strcspn(v, " ");
        if (strcmp(line, "pid") == 0) {
            out->pid = strtol(v, NULL, 10);
            out->present = out->pid > 0;
        } else if (strcmp(line, "started") == 0) {
            snprintf(out->started, sizeof out->started, "%.*s", (int)vl, v);
        } else if (strcmp(line, "journal") == 0) {
            snprintf(out->journal, sizeof out->journal, "%.*s", (int)vl, v);
        } else if (strcmp(line, "seq") == 0) {
            out->seq = strtoull(v, NULL, 10);
        } else if (strcmp(line, "alive") == 0) {
            snprintf(out->alive, sizeof out->alive, "%.*s", (int)vl, v);
        }
    }
}

static void write_text(sc_lock_t *l, const char *journal, uint64_t seq, const char *alive)
{
    char buf[TEXT_SIZE];
    int n =
        snprintf(buf, sizeof buf, "pid %ld\nstarted %s\njournal %s\nseq %" PRIu64 "\nalive %s\n",
                 l->pid, l->started, journal, seq, alive);
    if (n < 0 || n >= TEXT_SIZE)
        return;
    memset(buf + n, ' ', (size_t)(TEXT_SIZE - n - 1));
    buf[TEXT_SIZE - 1] = '\n';
    /* Best effort: the flock is the lock, the text only its explanation. */
    if (pwrite(l->fd, buf, TEXT_SIZE, 0) != TEXT_SIZE)
        return;
}

sc_lock_t *sc_lock_take(const char *dir, const char *started_iso, sc_lock_info_t *prev, char *err,
                        size_t errlen)
{
    char *path = rd_xasprintf("%s/%s", dir, SC_LOCK_NAME);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        free(path);
        return NULL;
    }
    int r;
    while ((r = flock(fd, LOCK_EX | LOCK_NB)) < 0 && errno == EINTR)
        ;
    read_info(fd, prev);
    if (r < 0) {
        int e = errno;
        if (e == EWOULDBLOCK)
            snprintf(err, errlen,
                     "data_dir %s is in use by showcallerd pid %ld, started %s (%s): one daemon "
                     "per data_dir; stop it first, or give this one its own data_dir (a --follow "
                     "backup needs one too)",
                     dir, prev->pid, prev->started[0] ? prev->started : "at an unknown time", path);
        else
            snprintf(err, errlen, "cannot lock %s: %s", path, strerror(e));
        close(fd);
        free(path);
        return NULL;
    }
    free(path);
    sc_lock_t *l = rd_xcalloc(1, sizeof *l);
    l->fd = fd;
    l->pid = (long)getpid();
    snprintf(l->started, sizeof l->started, "%s", started_iso);
    /* Until this daemon's journal is durable, the earlier daemon's last
     * words stay: a crash before the first batch must not forget them. */
    write_text(l, prev->journal[0] ? prev->journal : "-", prev->seq,
               prev->alive[0] ? prev->alive : "-");
    return l;
}

void sc_lock_note(sc_lock_t *l, const char *name, uint64_t seq, const char *alive_iso)
{
    if (l)
        write_text(l, name, seq, alive_iso);
}

void sc_lock_release(sc_lock_t *l)
{
    if (!l)
        return;
    close(l->fd); /* drops the flock */
    free(l);
}
