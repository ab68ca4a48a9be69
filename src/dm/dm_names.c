/*
 * Names and UUIDs of the devices the tool makes (dm/dm.h): the prefixed
 * name checked against what device-mapper accepts, its UUID, and whether
 * a name or UUID is the tool's own.
 */
#include "dm/dm.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ---- names ---------------------------------------------------------------- */

static bool name_char_ok(char c)
{
	return isalnum((unsigned char)c) || strchr("#+-.:=@_", c);
}

int dmw_make_name(const char *given, char *out, size_t len)
{
	size_t plen = strlen(DMW_NAME_PREFIX), i, n;
	bool has = strncmp(given, DMW_NAME_PREFIX, plen) == 0;
	const char *rest = has ? given + plen : given;

	n = strlen(rest);
	if (n == 0) {
		snprintf(out, len, "the name is empty");
		return -1;
	}
	if (strcmp(rest, ".") == 0 || strcmp(rest, "..") == 0) {
		snprintf(out, len, "'%s' is not a usable name", given);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!name_char_ok(rest[i])) {
			snprintf(out, len, "'%s' contains '%c' (allowed: letters, digits and "
				 "# + - . : = @ _)", given, isprint((unsigned char)rest[i]) ?
				 rest[i] : '?');
			return -1;
		}
	if (plen + n > DMW_NAME_MAX) {
		snprintf(out, len, "'%s' is longer than %d characters with the '%s' prefix",
			 given, DMW_NAME_MAX, DMW_NAME_PREFIX);
		return -1;
	}
	if ((size_t)snprintf(out, len, "%s%s", DMW_NAME_PREFIX, rest) >= len) {
		snprintf(out, len, "the name buffer is too small");
		return -1;
	}
	return 0;
}

void dmw_uuid_for(const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s%s", DMW_UUID_PREFIX, name);
}

bool dmw_uuid_is_ours(const char *uuid)
{
	size_t plen = strlen(DMW_UUID_PREFIX);

	return uuid && strncmp(uuid, DMW_UUID_PREFIX, plen) == 0 && uuid[plen];
}

bool dmw_name_is_ours(const char *name)
{
	size_t plen = strlen(DMW_NAME_PREFIX);

	return name && strncmp(name, DMW_NAME_PREFIX, plen) == 0 && name[plen];
}
