#include "util/utf8.h"

#include <string.h>

void utf8_trim_partial(char *s)
{
	size_t n = strlen(s), start, need;
	unsigned char lead;

	if (!n)
		return;
	/* Find the lead byte of the last character: at most 3 continuation bytes back. */
	start = n;
	while (start > 0 && n - start < 4 && ((unsigned char)s[start - 1] & 0xc0) == 0x80)
		start--;
	if (start == 0) {
		s[0] = '\0';
		return;
	}
	lead = (unsigned char)s[start - 1];
	if (lead < 0x80)
		return;  /* ASCII last: nothing cut */
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
	if (n - (start - 1) < need)
		s[start - 1] = '\0';
}
