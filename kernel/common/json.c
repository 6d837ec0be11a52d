#include "json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH ((int)(sizeof(((struct json *)0)->need_comma) / sizeof(bool)) - 1)

void json_init(struct json *j, struct buf *b)
{
	memset(j, 0, sizeof *j);
	j->b = b;
}

/* Before a value: nothing after a key, else a comma unless it is the first in its container. */
static void value_prefix(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->need_comma[j->depth])
		buf_putc(j->b, ',');
	j->need_comma[j->depth] = true;
}

static void open_(struct json *j, char c)
{
	value_prefix(j);
	buf_putc(j->b, c);
	if (j->depth < MAX_DEPTH)
		j->depth++;
	j->need_comma[j->depth] = false;
}

void json_obj_begin(struct json *j) { open_(j, '{'); }
void json_arr_begin(struct json *j) { open_(j, '['); }

static void close_(struct json *j, char c)
{
	buf_putc(j->b, c);
	if (j->depth > 0)
		j->depth--;
}

void json_obj_end(struct json *j) { close_(j, '}'); }
void json_arr_end(struct json *j) { close_(j, ']'); }

void json_key(struct json *j, const char *key)
{
	value_prefix(j);
	json_escape(j->b, key, strlen(key));
	buf_putc(j->b, ':');
	j->after_key = true;
}

void json_str(struct json *j, const char *s)
{
	json_strn(j, s, strlen(s));
}

void json_strn(struct json *j, const char *s, size_t n)
{
	value_prefix(j);
	json_escape(j->b, s, n);
}

void json_u64(struct json *j, uint64_t v)
{
	value_prefix(j);
	buf_printf(j->b, "%llu", (unsigned long long)v);
}

void json_i64(struct json *j, int64_t v)
{
	value_prefix(j);
	buf_printf(j->b, "%lld", (long long)v);
}

void json_double(struct json *j, double v)
{
	value_prefix(j);
	if (!isfinite(v))
		buf_puts(j->b, "null");
	else
		buf_printf(j->b, "%.6g", v);
}

void json_bool(struct json *j, bool v)
{
	value_prefix(j);
	buf_puts(j->b, v ? "true" : "false");
}

void json_null(struct json *j)
{
	value_prefix(j);
	buf_puts(j->b, "null");
}

void json_raw(struct json *j, const char *s)
{
	value_prefix(j);
	buf_puts(j->b, s);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if it is not one. Rejects overlong forms,
 * surrogates and code points above U+10FFFF, as JSON text must be valid Unicode. */
static size_t utf8_valid(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	unsigned cp = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void json_escape(struct buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	buf_reserve(b, n + 2);
	buf_putc(b, '"');
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			size_t k = i + 1;
			while (k < n && s[k] >= 0x20 && s[k] < 0x80 && s[k] != '"' && s[k] != '\\')
				k++;
			buf_append(b, s + i, k - i);
			i = k;
			continue;
		}
		switch (c) {
		case '"': buf_puts(b, "\\\""); i++; continue;
		case '\\': buf_puts(b, "\\\\"); i++; continue;
		case '\n': buf_puts(b, "\\n"); i++; continue;
		case '\r': buf_puts(b, "\\r"); i++; continue;
		case '\t': buf_puts(b, "\\t"); i++; continue;
		default: break;
		}
		if (c < 0x20) {
			buf_printf(b, "\\u%04x", c);
			i++;
			continue;
		}
		size_t len = utf8_valid(s + i, n - i);
		if (len) {
			buf_append(b, s + i, len);
			i += len;
		} else {
			buf_puts(b, "\xef\xbf\xbd"); /* U+FFFD for each invalid byte */
			i++;
		}
	}
	buf_putc(b, '"');
}
