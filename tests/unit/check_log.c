/*
 * Quoting in messages (log_quote, and so every log_error line): control
 * characters, DEL, C1 controls and bytes that are not UTF-8 come out as
 * escapes, valid UTF-8 as it is, and a cut never splits a character or an
 * escape.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

static void expect_quote(const char *in, const char *want)
{
	char out[256];

	log_quote(out, sizeof(out), in);
	ck_assert_msg(strcmp(out, want) == 0, "quoted '%s', want '%s'", out, want);
}

START_TEST(controls)
{
	expect_quote("plain text, 'quoted' and \\ backslash", "plain text, 'quoted' and \\ backslash");
	expect_quote("a\nb\tc\rd\x1b[31me", "a\\nb\\tc\\rd\\e[31me");
	expect_quote("\x01\x07\x1f\x7f", "\\x01\\x07\\x1f\\x7f");
	/* U+009B (CSI in two bytes) and a bare 0x9b: terminals obey both. */
	expect_quote("x\xc2\x9by\x9bz", "x\\xc2\\x9by\\x9bz");
}
END_TEST

START_TEST(utf8)
{
	/* Valid UTF-8 of every length stays: ü, €, 𝄞, U+00A0 (not a C1 control). */
	expect_quote("\xc3\xbc \xe2\x82\xac \xf0\x9d\x84\x9e \xc2\xa0",
		     "\xc3\xbc \xe2\x82\xac \xf0\x9d\x84\x9e \xc2\xa0");
	/* Overlong, a surrogate, beyond U+10FFFF, a lone continuation, a cut sequence. */
	expect_quote("\xc0\xaf", "\\xc0\\xaf");
	expect_quote("\xed\xa0\x80", "\\xed\\xa0\\x80");
	expect_quote("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	expect_quote("\x80", "\\x80");
	expect_quote("\xe2\x82", "\\xe2\\x82");
}
END_TEST

START_TEST(cut)
{
	char out[8];

	/* Room for 7 bytes: whole escapes and characters only. */
	ck_assert_uint_eq(log_quote(out, sizeof(out), "abcde\nf"), 7);
	ck_assert_str_eq(out, "abcde\\n");
	ck_assert_uint_eq(log_quote(out, sizeof(out), "abcdef\ng"), 6);
	ck_assert_str_eq(out, "abcdef");
	ck_assert_uint_eq(log_quote(out, sizeof(out), "abcd\xe2\x82\xac"), 7);
	ck_assert_str_eq(out, "abcd\xe2\x82\xac");
	ck_assert_uint_eq(log_quote(out, sizeof(out), "abcde\xe2\x82\xac"), 5);
	ck_assert_str_eq(out, "abcde");
	ck_assert_uint_eq(log_quote(out, 1, "abc"), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("quote");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, controls);
	tcase_add_test(tc, utf8);
	tcase_add_test(tc, cut);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
