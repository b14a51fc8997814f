/* Fuzzes the CSV reader of src/csv.c (csv_reader_next over a whole text,
 * as the catalog and completions imports use it, and csv_next_record with
 * too small buffers) and csv_quote: every record read is written back with
 * csv_quote and must read back as the same fields (with the formula guard's
 * "'" in front where csv_quote adds it); truncated quoting is a NUL-
 * terminated prefix of the full output. */
#include "fuzz.h"

#include "csv.h"

static bool guarded(const char *f)
{
    return f[0] != '\0' && strchr("=+-@\t\r", f[0]) != NULL;
}

/* csv_quote of f, checked against truncated calls; malloc'd. */
static char *quote(const char *f)
{
    size_t full = csv_quote(f, NULL, 0);
    char *out = malloc(full + 1);
    FUZZ_CHECK(csv_quote(f, out, full + 1) == full && strlen(out) == full);
    size_t sizes[] = {1, 2, full / 2 + 1, full};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        if (sizes[i] == 0)
            continue;
        char *part = malloc(sizes[i]);
        FUZZ_CHECK(csv_quote(f, part, sizes[i]) == full);
        size_t plen = strlen(part);
        FUZZ_CHECK(plen == (full < sizes[i] ? full : sizes[i] - 1));
        FUZZ_CHECK(memcmp(part, out, plen) == 0);
        free(part);
    }
    return out;
}

/* Writes the record with csv_quote and reads it back. */
static void round_trip(const struct csv_record *rec)
{
    size_t cap = 1, expect_len = 0;
    char *q[CSV_MAX_FIELDS];
    for (size_t i = 0; i < rec->nfields; i++) {
        q[i] = quote(rec->field[i]);
        cap += strlen(q[i]) + 1;
        expect_len += strlen(rec->field[i]) + guarded(rec->field[i]) + 1;
    }
    char *line = malloc(cap);
    line[0] = '\0';
    for (size_t i = 0; i < rec->nfields; i++) {
        if (i)
            strcat(line, ",");
        strcat(line, q[i]);
        free(q[i]);
    }
    char *buf = malloc(expect_len);
    const char *cursor = line;
    struct csv_record back;
    int rc = csv_next_record(&cursor, &back, buf, expect_len);
    if (rec->nfields == 1 && rec->field[0][0] == '\0') {
        FUZZ_CHECK(rc == 0); /* one empty field is an empty line */
    } else {
        FUZZ_CHECK(rc == 1 && *cursor == '\0' && back.nfields == rec->nfields);
        for (size_t i = 0; i < rec->nfields; i++) {
            const char *f = rec->field[i], *b = back.field[i];
            if (guarded(f))
                FUZZ_CHECK(*b++ == '\'');
            FUZZ_CHECK(strcmp(b, f) == 0);
        }
    }
    free(buf);
    free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    size_t len = strlen(text);

    /* The whole text, as the imports read it; len + 1 bytes always suffice. */
    char *buf = malloc(len + 1);
    struct csv_reader rd;
    csv_reader_init(&rd, text);
    int line = 1, rc;
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    while ((rc = csv_reader_next(&rd, &(struct csv_record){0}, buf, 0)) != 0) {
        /* buflen 0 never fits a record: the cursor must not move on -1. */
        FUZZ_CHECK(rc == -1);
        const char *before = rd.cursor;
        struct csv_record rec;
        rc = csv_reader_next(&rd, &rec, buf, len + 1);
        if (rc != 1) {
            FUZZ_CHECK(rc == -1 && rd.cursor == before);
            break;
        }
        FUZZ_CHECK(rd.cursor > before && rd.cursor <= text + len);
        FUZZ_CHECK(rd.line >= line && (size_t)rd.line <= lines);
        line = rd.line;
        FUZZ_CHECK(rec.nfields >= 1 && rec.nfields <= CSV_MAX_FIELDS);
        for (size_t i = 0; i < rec.nfields; i++)
            FUZZ_CHECK(fuzz_inside(rec.field[i], buf, len + 1));
        round_trip(&rec);
    }

    /* One record into an exactly sized small buffer: no write past it. */
    size_t small = size ? data[0] % 24 : 0;
    char *tight = malloc(small ? small : 1);
    const char *cursor = text;
    struct csv_record rec;
    rc = csv_next_record(&cursor, &rec, tight, small);
    FUZZ_CHECK(rc == -1 || rc == 0 || rc == 1);
    if (rc == 1)
        for (size_t i = 0; i < rec.nfields; i++)
            FUZZ_CHECK(fuzz_inside(rec.field[i], tight, small));
    free(tight);

    /* The text as one field. */
    struct csv_record whole = {.nfields = 1, .field = {text}};
    round_trip(&whole);
    free(buf);
    free(text);
    return 0;
}
