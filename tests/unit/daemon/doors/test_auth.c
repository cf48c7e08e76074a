/* Tests for daemon/doors/auth.c: the roles tokens grant, and the control token kept in data_dir. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doors/auth.h"
#include "unit.h"

TEST(auth_token_equal)
{
    ASSERT_TRUE(sc_auth_token_equal("abcdef0123456789", "abcdef0123456789"));
    ASSERT_FALSE(sc_auth_token_equal("abcdef012345678", "abcdef0123456789"));
    ASSERT_FALSE(sc_auth_token_equal("abcdef01234567890", "abcdef0123456789"));
    ASSERT_FALSE(sc_auth_token_equal("Abcdef0123456789", "abcdef0123456789"));
    ASSERT_FALSE(sc_auth_token_equal("", "abcdef0123456789"));
    ASSERT_FALSE(sc_auth_token_equal(NULL, "abcdef0123456789"));
    ASSERT_FALSE(sc_auth_token_equal("x", NULL));
}

/* The control token grants everything; with a view token only it (or the
 * control token) may view; without one anyone may. */
TEST(auth_roles)
{
    sc_tokens_t t = {.control = "control-token-123", .view = "view-token-45678"};
    ASSERT_EQ(sc_auth_role(&t, "control-token-123"), SC_ROLE_CONTROL);
    ASSERT_EQ(sc_auth_role(&t, "view-token-45678"), SC_ROLE_VIEW);
    ASSERT_EQ(sc_auth_role(&t, "guess"), SC_ROLE_NONE);
    ASSERT_EQ(sc_auth_role(&t, NULL), SC_ROLE_NONE);
    t.view = NULL;
    ASSERT_EQ(sc_auth_role(&t, NULL), SC_ROLE_VIEW);
    ASSERT_EQ(sc_auth_role(&t, "guess"), SC_ROLE_VIEW);
    ASSERT_EQ(sc_auth_role(&t, "control-token-123"), SC_ROLE_CONTROL);
}

/* Without a configured token one is made once, kept 0600 in data_dir, and
 * the same one is used at the next start. */
TEST(auth_control_token_generated_once_and_kept)
{
    char dir[] = "/tmp/sc-auth-XXXXXX";
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    char err[128] = "";
    bool generated = false;
    char *a = sc_auth_control_token(NULL, dir, &generated, err, sizeof err);
    ASSERT_TRUE(a != NULL);
    ASSERT_TRUE(generated);
    ASSERT_EQ(strlen(a), 32);
    char path[256];
    snprintf(path, sizeof path, "%s/control_token", dir);
    struct stat st;
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_EQ(st.st_mode & 0777, 0600);
    char *b = sc_auth_control_token(NULL, dir, &generated, err, sizeof err);
    ASSERT_FALSE(generated);
    ASSERT_STR_EQ(b, a);
    char *c = sc_auth_control_token("configured-token", dir, &generated, err, sizeof err);
    ASSERT_STR_EQ(c, "configured-token");
    ASSERT_FALSE(generated);
    free(a);
    free(b);
    free(c);
    unlink(path);
    rmdir(dir);
}
