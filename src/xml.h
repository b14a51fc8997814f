/* xml — the only user of libxml2: an XML document written element by
 * element with xmlTextWriter into memory, which escapes every text and
 * attribute value, so no XML is ever built from strings.  A writer belongs
 * to one thread.  Errors are sticky: after the first failure every call does
 * nothing and xml_finish reports it. */
#ifndef XML_H
#define XML_H

#include <stddef.h>

struct arena;
struct xml;

/* A new UTF-8 document with its XML declaration; freed at the arena's
 * reset.  NULL (logged) when libxml2 fails. */
struct xml *xml_new(struct arena *a);
/* Opens an element; attributes follow before any content. */
void xml_start(struct xml *x, const char *name);
void xml_attr(struct xml *x, const char *name, const char *value);
/* <name>text</name> (text escaped; NULL = ""). */
void xml_element(struct xml *x, const char *name, const char *text);
/* Text content of the open element (escaped). */
void xml_text(struct xml *x, const char *text);
/* <name attr="value">text</name>. */
void xml_element_attr(struct xml *x, const char *name, const char *attr, const char *value, const char *text);
/* Closes the innermost open element. */
void xml_end(struct xml *x);
/* Closes what is open and gives the document (in the arena).  -1 (logged)
 * when any step failed. */
int xml_finish(struct xml *x, const char **data, size_t *len);

#endif
