/* xml — see xml.h. */
#include "xml.h"

#include <libxml/parser.h>
#include <libxml/xmlwriter.h>
#include <pthread.h>
#include <string.h>

#include "log.h"
#include "mem.h"

struct xml {
    struct arena *arena;
    xmlBufferPtr buf;
    xmlTextWriterPtr w;
    int failed;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* libxml2 wants its global state set up once before threads use it. */
static void init_library(void)
{
    xmlInitParser();
}

static void free_writer(void *p)
{
    struct xml *x = p;
    if (x->w)
        xmlFreeTextWriter(x->w); /* does not free the buffer */
    if (x->buf)
        xmlBufferFree(x->buf);
}

static void check(struct xml *x, int rc, const char *what)
{
    if (rc < 0 && !x->failed) {
        x->failed = 1;
        log_error("libxml2: %s failed", what);
    }
}

struct xml *xml_new(struct arena *a)
{
    pthread_once(&init_once, init_library);
    struct xml *x = arena_alloc(a, sizeof *x);
    memset(x, 0, sizeof *x);
    x->arena = a;
    x->buf = xmlBufferCreate();
    x->w = x->buf ? xmlNewTextWriterMemory(x->buf, 0) : NULL;
    arena_defer(a, free_writer, x);
    if (!x->w) {
        log_error("libxml2: cannot create a writer");
        return NULL;
    }
    xmlTextWriterSetIndent(x->w, 1);
    xmlTextWriterSetIndentString(x->w, BAD_CAST "  ");
    check(x, xmlTextWriterStartDocument(x->w, "1.0", "UTF-8", NULL), "start document");
    return x->failed ? NULL : x;
}

void xml_start(struct xml *x, const char *name)
{
    if (!x->failed)
        check(x, xmlTextWriterStartElement(x->w, BAD_CAST name), name);
}

void xml_attr(struct xml *x, const char *name, const char *value)
{
    if (!x->failed)
        check(x, xmlTextWriterWriteAttribute(x->w, BAD_CAST name, BAD_CAST(value ? value : "")), name);
}

void xml_element(struct xml *x, const char *name, const char *text)
{
    if (!x->failed)
        check(x, xmlTextWriterWriteElement(x->w, BAD_CAST name, BAD_CAST(text ? text : "")), name);
}

void xml_text(struct xml *x, const char *text)
{
    if (!x->failed)
        check(x, xmlTextWriterWriteString(x->w, BAD_CAST(text ? text : "")), "text");
}

void xml_element_attr(struct xml *x, const char *name, const char *attr, const char *value, const char *text)
{
    xml_start(x, name);
    xml_attr(x, attr, value);
    xml_text(x, text);
    xml_end(x);
}

void xml_end(struct xml *x)
{
    if (!x->failed)
        check(x, xmlTextWriterEndElement(x->w), "end element");
}

int xml_finish(struct xml *x, const char **data, size_t *len)
{
    if (!x->failed)
        check(x, xmlTextWriterEndDocument(x->w), "end document");
    if (!x->failed)
        check(x, xmlTextWriterFlush(x->w), "flush");
    if (x->failed)
        return -1;
    size_t n = (size_t)xmlBufferLength(x->buf);
    char *out = arena_alloc(x->arena, n + 1);
    memcpy(out, xmlBufferContent(x->buf), n);
    out[n] = '\0';
    *data = out;
    *len = n;
    return 0;
}
