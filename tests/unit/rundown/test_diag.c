/* Tests for rundown/diag.c: how findings print. */
#include <stdlib.h>

#include "diag.h"
#include "unit.h"

TEST(diag_formats)
{
    rd_diags_t d = {0};
    d.file = "show.json";
    rd_diag_add(&d, RD_ERROR, "items[3].cues[1].at", "\"%s\" needs a unit", "end-3");
    rd_diag_add(&d, RD_WARNING, "off_air", "runs %d:%02d over", 1, 5);
    rd_diag_add_at(&d, RD_ERROR, 4, 9, "not valid JSON: %s", "'}' expected");
    rd_diag_add(&d, RD_ERROR, "", "cannot open: %s", "No such file or directory");
    ASSERT_EQ(d.errors, 3);
    ASSERT_EQ(d.warnings, 1);
    const char *want[] = {
        "show.json: items[3].cues[1].at: \"end-3\" needs a unit",
        "show.json: off_air: warning: runs 1:05 over",
        "show.json:4:9: not valid JSON: '}' expected",
        "show.json: cannot open: No such file or directory",
    };
    for (size_t i = 0; i < 4; i++) {
        char *s = rd_diag_format(&d.items[i]);
        if (strcmp(s, want[i]) != 0)
            unit_fail(__FILE__, __LINE__, "got \"%s\", want \"%s\"", s, want[i]);
        free(s);
    }
    rd_diags_free(&d);
    ASSERT_EQ(d.count, 0);
}

TEST(diag_many_findings_grow)
{
    rd_diags_t d = {0};
    for (int i = 0; i < 1000; i++)
        rd_diag_add(&d, RD_ERROR, "p", "finding %d", i);
    ASSERT_EQ(d.count, 1000);
    ASSERT_STR_EQ(d.items[999].message, "finding 999");
    rd_diags_free(&d);
}
