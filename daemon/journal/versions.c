/* Every saved version of the rundown under data_dir/versions/, and atomic file writes. */
#include "versions.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock/timebase.h"
#include "log.h"
#include "xalloc.h"

struct sc_versions {
    char *dir;          /* data_dir/versions */
    char *index;        /* data_dir/versions/index.jsonl */
    sc_version_t *list; /* oldest first */
    size_t n, cap;
    bool busy;
};

uint64_t sc_versions_hash(const char *bytes, size_t len)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a, as journal/resume.c hashes the file */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint64_t)(unsigned char)bytes[i]) * 1099511628211u;
    return h;
}

static char *dup_or_null(const char *s)
{
    return s ? rd_xstrdup(s) : NULL;
}

static void meta_free(sc_version_t *m)
{
    free(m->source);
    free(m->author);
    free(m->door);
    free(m->address);
    free(m->summary);
    memset(m, 0, sizeof *m);
}

static void meta_copy(sc_version_t *to, const sc_version_t *from)
{
    *to = *from;
    to->source = dup_or_null(from->source);
    to->author = dup_or_null(from->author);
    to->door = dup_or_null(from->door);
    to->address = dup_or_null(from->address);
    to->summary = dup_or_null(from->summary);
}

static void push(sc_versions_t *v, const sc_version_t *m)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->list = rd_xrealloc(v->list, v->cap * sizeof *v->list);
    }
    meta_copy(&v->list[v->n++], m);
}

static const char *str_or_null(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* One index line read back; false for a line that is not one (torn). */
static bool meta_from_line(const char *line, sc_version_t *m)
{
    json_t *o = json_loads(line, 0, NULL);
    if (!json_is_object(o) || !json_is_integer(json_object_get(o, "version"))) {
        json_decref(o);
        return false;
    }
    memset(m, 0, sizeof *m);
    m->number = (uint64_t)json_integer_value(json_object_get(o, "version"));
    m->wall_ns = (int64_t)json_integer_value(json_object_get(o, "time_ms")) * 1000000;
    m->source = dup_or_null(str_or_null(o, "source"));
    m->author = dup_or_null(str_or_null(o, "author"));
    m->door = dup_or_null(str_or_null(o, "door"));
    m->address = dup_or_null(str_or_null(o, "address"));
    m->summary = dup_or_null(str_or_null(o, "summary"));
    m->restore_of = (uint64_t)json_integer_value(json_object_get(o, "restore_of"));
    m->bytes = (size_t)json_integer_value(json_object_get(o, "bytes"));
    const char *h = str_or_null(o, "hash");
    m->hash = h ? strtoull(h, NULL, 16) : 0;
    json_decref(o);
    return true;
}

static char *meta_line(const sc_version_t *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "version", json_integer((json_int_t)m->number));
    json_object_set_new(o, "time_ms", json_integer(m->wall_ns / 1000000));
    json_object_set_new(o, "source", json_string(m->source ? m->source : ""));
    if (m->author)
        json_object_set_new(o, "author", json_string(m->author));
    json_object_set_new(o, "door", json_string(m->door ? m->door : ""));
    if (m->address)
        json_object_set_new(o, "address", json_string(m->address));
    json_object_set_new(o, "summary", json_string(m->summary ? m->summary : ""));
    if (m->restore_of)
        json_object_set_new(o, "restore_of", json_integer((json_int_t)m->restore_of));
    json_object_set_new(o, "bytes", json_integer((json_int_t)m->bytes));
    char h[20];
    snprintf(h, sizeof h, "%016" PRIx64, m->hash);
    json_object_set_new(o, "hash", json_string(h));
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return text;
}

sc_versions_t *sc_versions_open(const char *data_dir, char *err, size_t errlen)
{
    sc_versions_t *v = rd_xcalloc(1, sizeof *v);
    size_t n = strlen(data_dir) + 32;
    v->dir = rd_xcalloc(n, 1);
    snprintf(v->dir, n, "%s/versions", data_dir);
    v->index = rd_xcalloc(n + 16, 1);
    snprintf(v->index, n + 16, "%s/index.jsonl", v->dir);
    if (mkdir(v->dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot make %s: %s", v->dir, strerror(errno));
        sc_versions_free(v);
        return NULL;
    }
    FILE *f = fopen(v->index, "r");
    if (!f && errno != ENOENT) {
        snprintf(err, errlen, "cannot read %s: %s", v->index, strerror(errno));
        sc_versions_free(v);
        return NULL;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    off_t whole = 0; /* the end of the last line that has its newline */
    while (f && (got = getline(&line, &cap, f)) > 0) {
        if (line[got - 1] == '\n')
            whole += got;
        sc_version_t m;
        /* Numbers only grow: a line that does not (a crash's leftover) is not a version. */
        if (meta_from_line(line, &m)) {
            if (v->n == 0 || m.number > v->list[v->n - 1].number)
                push(v, &m);
            meta_free(&m);
        }
    }
    free(line);
    if (f) {
        /* A line a crash cut short would swallow the next one appended. */
        if (ftello(f) > whole && truncate(v->index, whole) != 0)
            sc_warn("versions: cannot cut %s's torn last line: %s", v->index, strerror(errno));
        fclose(f);
    }
    return v;
}

void sc_versions_free(sc_versions_t *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++)
        meta_free(&v->list[i]);
    free(v->list);
    free(v->dir);
    free(v->index);
    free(v);
}

const sc_version_t *sc_versions_latest(const sc_versions_t *v)
{
    return v->n ? &v->list[v->n - 1] : NULL;
}

const sc_version_t *sc_versions_find(const sc_versions_t *v, uint64_t number)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->list[i].number == number)
            return &v->list[i];
    return NULL;
}

static void version_path(const char *dir, uint64_t number, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%06" PRIu64 ".json", dir, number);
}

char *sc_versions_read(const sc_versions_t *v, uint64_t number, size_t *len, char *err,
                       size_t errlen)
{
    if (!sc_versions_find(v, number)) {
        snprintf(err, errlen, "there is no version %" PRIu64, number);
        return NULL;
    }
    char path[4096];
    version_path(v->dir, number, path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = rd_xcalloc(cap, 1);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            buf = rd_xrealloc(buf, cap);
        }
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "cannot read %s", path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

json_t *sc_version_json(const sc_version_t *m, uint64_t on_air)
{
    json_t *o = json_object();
    char iso[64];
    sc_iso8601(m->wall_ns, iso, sizeof iso);
    json_object_set_new(o, "version", json_integer((json_int_t)m->number));
    json_object_set_new(o, "time", json_string(iso));
    json_object_set_new(o, "time_ms", json_integer(m->wall_ns / 1000000));
    json_t *a = json_object();
    json_object_set_new(a, "name", m->author ? json_string(m->author) : json_null());
    json_object_set_new(a, "door", json_string(m->door ? m->door : ""));
    json_object_set_new(a, "address", m->address ? json_string(m->address) : json_null());
    json_object_set_new(o, "author", a);
    json_object_set_new(o, "source", json_string(m->source ? m->source : ""));
    json_object_set_new(o, "restore_of",
                        m->restore_of ? json_integer((json_int_t)m->restore_of) : json_null());
    json_object_set_new(o, "summary", json_string(m->summary ? m->summary : ""));
    json_object_set_new(o, "bytes", json_integer((json_int_t)m->bytes));
    json_object_set_new(o, "on_air", json_boolean(m->number == on_air));
    return o;
}

json_t *sc_versions_list_json(const sc_versions_t *v, uint64_t on_air)
{
    json_t *arr = json_array();
    for (size_t i = v->n; i-- > 0;)
        json_array_append_new(arr, sc_version_json(&v->list[i], on_air));
    json_t *o = json_object();
    json_object_set_new(o, "versions", arr);
    return o;
}

/* ---- Writing ------------------------------------------------------------------ */

static int write_all(int fd, const char *bytes, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, bytes, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        bytes += w;
        len -= (size_t)w;
    }
    return 0;
}

static int fsync_dir_of(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = fsync(fd) == 0 ? 0 : -errno;
    close(fd);
    return rc;
}

int sc_write_atomic(const char *path, const char *bytes, size_t len, char *err, size_t errlen)
{
    char tmp[4096];
    /* The temp file beside the target (same file system, so rename is atomic);
     * its name says whose it is, and a crash's leftover is overwritten next time. */
    snprintf(tmp, sizeof tmp, "%s.saving", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int e = -errno;
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(-e));
        return e;
    }
    int rc = write_all(fd, bytes, len);
    if (rc == 0 && fsync(fd) != 0)
        rc = -errno;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    if (rc != 0) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(-rc));
        unlink(tmp);
        return rc;
    }
    if (rename(tmp, path) != 0) {
        rc = -errno;
        snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(-rc));
        unlink(tmp);
        return rc;
    }
    rc = fsync_dir_of(path);
    if (rc != 0)
        snprintf(err, errlen, "cannot sync the folder of %s: %s", path, strerror(-rc));
    return rc;
}

/* The version's file, then its index line. Runs on any thread: it reads
 * only its arguments. */
static int write_version(const char *dir, const char *index, const sc_version_t *m,
                         const char *bytes, size_t len, char *err, size_t errlen)
{
    char path[4096];
    version_path(dir, m->number, path, sizeof path);
    int rc = sc_write_atomic(path, bytes, len, err, errlen);
    if (rc != 0)
        return rc;
    char *line = meta_line(m);
    if (!line) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int fd = open(index, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = -errno;
        snprintf(err, errlen, "cannot open %s: %s", index, strerror(-rc));
        free(line);
        return rc;
    }
    size_t n = strlen(line);
    rc = write_all(fd, line, n);
    if (rc == 0)
        rc = write_all(fd, "\n", 1);
    if (rc == 0 && fsync(fd) != 0)
        rc = -errno;
    close(fd);
    free(line);
    if (rc != 0)
        snprintf(err, errlen, "cannot write %s: %s", index, strerror(-rc));
    return rc;
}

static void stamp(const sc_versions_t *v, sc_version_t *m, const char *bytes, size_t len)
{
    const sc_version_t *last = sc_versions_latest(v);
    m->number = last ? last->number + 1 : 1;
    m->bytes = len;
    m->hash = sc_versions_hash(bytes, len);
    if (!m->wall_ns)
        m->wall_ns = sc_wall_ns();
}

bool sc_versions_add_now(sc_versions_t *v, sc_version_t *meta, const char *bytes, size_t len,
                         char *err, size_t errlen)
{
    stamp(v, meta, bytes, len);
    if (write_version(v->dir, v->index, meta, bytes, len, err, errlen) != 0)
        return false;
    push(v, meta);
    return true;
}

bool sc_versions_busy(const sc_versions_t *v)
{
    return v->busy;
}

typedef struct {
    uv_work_t work;
    sc_versions_t *v;
    char *rundown_path; /* NULL: no rundown file */
    char *bytes;
    size_t len;
    sc_version_t meta; /* owned copy */
    sc_versions_done_fn done;
    void *ctx;
    int err;
    char err_text[512];
} save_t;

static void save_work(uv_work_t *w)
{
    save_t *s = w->data;
    if (s->rundown_path) {
        s->err =
            sc_write_atomic(s->rundown_path, s->bytes, s->len, s->err_text, sizeof s->err_text);
        if (s->err != 0)
            return;
    }
    s->err = write_version(s->v->dir, s->v->index, &s->meta, s->bytes, s->len, s->err_text,
                           sizeof s->err_text);
}

static void save_after(uv_work_t *w, int status)
{
    save_t *s = w->data;
    sc_versions_t *v = s->v;
    v->busy = false;
    if (status != 0 && s->err == 0) {
        s->err = status;
        snprintf(s->err_text, sizeof s->err_text, "the save did not run: %s", uv_strerror(status));
    }
    const sc_version_t *m = NULL;
    if (s->err == 0) {
        push(v, &s->meta);
        m = sc_versions_latest(v);
    }
    s->done(s->ctx, m, s->err, s->err_text);
    meta_free(&s->meta);
    free(s->rundown_path);
    free(s->bytes);
    free(s);
}

bool sc_versions_save(sc_versions_t *v, uv_loop_t *loop, const char *rundown_path,
                      const char *bytes, size_t len, const sc_version_t *meta,
                      sc_versions_done_fn done, void *ctx)
{
    if (v->busy)
        return false;
    save_t *s = rd_xcalloc(1, sizeof *s);
    s->work.data = s;
    s->v = v;
    s->rundown_path = dup_or_null(rundown_path);
    s->bytes = rd_xcalloc(len + 1, 1);
    memcpy(s->bytes, bytes, len);
    s->len = len;
    meta_copy(&s->meta, meta);
    stamp(v, &s->meta, bytes, len);
    s->done = done;
    s->ctx = ctx;
    if (uv_queue_work(loop, &s->work, save_work, save_after) != 0) {
        meta_free(&s->meta);
        free(s->rundown_path);
        free(s->bytes);
        free(s);
        return false;
    }
    v->busy = true;
    return true;
}
