/* Wire errors: codes and HTTP statuses, in one table. */
#include "errors.h"

/* 409 for "the show's state does not allow it"; the rest say what HTTP means. */
static const struct {
    const char *code;
    unsigned http;
} table[SC_ERR_COUNT] = {
    [SC_ERR_OK] = {"ok", 200},
    [SC_ERR_BAD_JSON] = {"bad_json", 400},
    [SC_ERR_BAD_ARGUMENT] = {"bad_argument", 400},
    [SC_ERR_MISSING_ARGUMENT] = {"missing_argument", 400},
    [SC_ERR_UNKNOWN_COMMAND] = {"unknown_command", 404},
    [SC_ERR_UNAUTHORIZED] = {"unauthorized", 401},
    [SC_ERR_RATE_LIMITED] = {"rate_limited", 429},
    [SC_ERR_NOT_FOUND] = {"not_found", 404},
    [SC_ERR_METHOD_NOT_ALLOWED] = {"method_not_allowed", 405},
    [SC_ERR_LENGTH_REQUIRED] = {"length_required", 411},
    [SC_ERR_TOO_LARGE] = {"too_large", 413},
    [SC_ERR_HEADER_TOO_LARGE] = {"header_too_large", 431},
    [SC_ERR_TOO_MANY_CLIENTS] = {"too_many_clients", 503},
    [SC_ERR_TOO_MANY_SUBSCRIBERS] = {"too_many_subscribers", 409},
    [SC_ERR_SHUTTING_DOWN] = {"shutting_down", 503},
    [SC_ERR_UNKNOWN_ITEM] = {"unknown_item", 404},
    [SC_ERR_UNKNOWN_CUE] = {"unknown_cue", 404},
    [SC_ERR_GO_GUARD] = {"go_guard", 429},
    [SC_ERR_SHOW_ENDED] = {"show_ended", 409},
    [SC_ERR_NOTHING_NEXT] = {"nothing_next", 409},
    [SC_ERR_NOTHING_BACK] = {"nothing_back", 409},
    [SC_ERR_NOT_RUNNING] = {"not_running", 409},
    [SC_ERR_NOT_HOLDING] = {"not_holding", 409},
    [SC_ERR_ALREADY_HOLDING] = {"already_holding", 409},
    [SC_ERR_ITEM_RUNNING] = {"item_running", 409},
    [SC_ERR_NEGATIVE_DURATION] = {"negative_duration", 409},
    [SC_ERR_IN_PREROLL] = {"in_preroll", 409},
    [SC_ERR_JOURNAL_UNCERTAIN] = {"journal_uncertain", 409},
    [SC_ERR_RELOAD_FAILED] = {"reload_failed", 409},
    [SC_ERR_RUNNING_ITEM_REMOVED] = {"running_item_removed", 409},
    [SC_ERR_BAD_COMMAND] = {"bad_command", 409},
    [SC_ERR_CONFLICT] = {"conflict", 409},
    [SC_ERR_INVALID_RUNDOWN] = {"invalid_rundown", 400},
    [SC_ERR_SAVE_IN_PROGRESS] = {"save_in_progress", 409},
    [SC_ERR_WRITE_FAILED] = {"write_failed", 500},
    [SC_ERR_IMPORT_FAILED] = {"import_failed", 400},
    [SC_ERR_UNKNOWN_VERSION] = {"unknown_version", 404},
    [SC_ERR_NOT_DURABLE] = {"not_durable", 200},
};

const char *sc_err_code(sc_err_t err)
{
    return err < SC_ERR_COUNT && table[err].code ? table[err].code : "error";
}

unsigned sc_err_http_status(sc_err_t err)
{
    return err < SC_ERR_COUNT && table[err].code ? table[err].http : 500;
}

sc_err_t sc_err_from_show(rd_show_err_t err)
{
    switch (err) {
    case RD_SHOW_OK:
        return SC_ERR_OK;
    case RD_SHOW_ERR_UNKNOWN_ITEM:
        return SC_ERR_UNKNOWN_ITEM;
    case RD_SHOW_ERR_UNKNOWN_CUE:
        return SC_ERR_UNKNOWN_CUE;
    case RD_SHOW_ERR_ENDED:
        return SC_ERR_SHOW_ENDED;
    case RD_SHOW_ERR_NOTHING_NEXT:
        return SC_ERR_NOTHING_NEXT;
    case RD_SHOW_ERR_NOTHING_BACK:
        return SC_ERR_NOTHING_BACK;
    case RD_SHOW_ERR_NOT_RUNNING:
        return SC_ERR_NOT_RUNNING;
    case RD_SHOW_ERR_NOT_HOLDING:
        return SC_ERR_NOT_HOLDING;
    case RD_SHOW_ERR_ALREADY_HOLDING:
        return SC_ERR_ALREADY_HOLDING;
    case RD_SHOW_ERR_ITEM_RUNNING:
        return SC_ERR_ITEM_RUNNING;
    case RD_SHOW_ERR_NEGATIVE:
        return SC_ERR_NEGATIVE_DURATION;
    case RD_SHOW_ERR_IN_PREROLL:
        return SC_ERR_IN_PREROLL;
    case RD_SHOW_ERR_RUNNING_REMOVED:
        return SC_ERR_RUNNING_ITEM_REMOVED;
    }
    return SC_ERR_BAD_COMMAND;
}
