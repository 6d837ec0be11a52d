/* A minimal JSON writer over struct buf. Strings are escaped for JSON.parse: quotes, backslashes and control
 * characters; bytes that are not valid UTF-8 become U+FFFD. */
#ifndef UPM_JSON_H
#define UPM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct json {
	struct buf *b;
	int depth;
	bool after_key;
	bool need_comma[64];
};

void json_init(struct json *j, struct buf *b);
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);
void json_strn(struct json *j, const char *s, size_t n);
void json_u64(struct json *j, uint64_t v);
void json_i64(struct json *j, int64_t v);
void json_double(struct json *j, double v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* A raw, already valid JSON value. */
void json_raw(struct json *j, const char *s);

/* Appends the escaped string with quotes. */
void json_escape(struct buf *b, const char *s, size_t n);

#endif
