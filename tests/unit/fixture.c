/* Test fixtures: rundowns and configs written inline with single quotes, parsed and linked. */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

char *fx_dq(const char *s)
{
    char *t = strdup(s);
    for (char *p = t; *p; p++)
        if (*p == '\'')
            *p = '"';
    return t;
}

bool fx_load(const char *head, const char *items, const char *config, rd_rundown_t *r,
             rd_config_t *c)
{
    memset(r, 0, sizeof *r);
    if (c)
        memset(c, 0, sizeof *c);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    fprintf(f, "{'format': 'showcaller-rundown/1', 'title': 'T', %s 'items': [%s]}", head, items);
    fclose(f);
    char *rtext = fx_dq(text);
    free(text);
    rd_diags_t d = {0};
    d.file = "test";
    bool ok = true;
    if (config) {
        char *ctext = fx_dq(config);
        ok = rd_config_parse(ctext, strlen(ctext), c, &d);
        free(ctext);
    }
    ok = rd_rundown_parse(rtext, strlen(rtext), r, &d) && ok;
    if (config)
        ok = ok && rd_rundown_link(r, c, &d);
    for (size_t i = 0; !ok && i < d.count; i++) {
        char *line = rd_diag_format(&d.items[i]);
        printf("# %s\n", line);
        free(line);
    }
    rd_diags_free(&d);
    free(rtext);
    return ok;
}

void fx_unload(rd_rundown_t *r, rd_config_t *c)
{
    rd_rundown_free(r);
    if (c)
        rd_config_free(c);
}
