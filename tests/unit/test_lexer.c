/* test_lexer.c -- CUnit suite for the eTamil lexer and keyword tables
 * (spec §2, §3; src/lang/lexer.c, keywords.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "arena.h"
#include "keywords.h"
#include "lexer.h"

struct lexed {
	struct etm_arena *arena;
	struct etm_token_list toks;
	struct etm_diag diags;
	int rc;
};

static void lex(struct lexed *l, const char *src)
{
	l->arena = etm_arena_new();
	memset(&l->toks, 0, sizeof l->toks);
	etm_diag_init(&l->diags);
	l->rc = etm_lex(src, strlen(src), l->arena, NULL, &l->toks, &l->diags);
}

static void done(struct lexed *l)
{
	etm_token_list_free(&l->toks);
	etm_diag_free(&l->diags);
	etm_arena_free(l->arena);
}

static int text_is(const struct etm_token *t, const char *s)
{
	return t->len == strlen(s) && memcmp(t->text, s, t->len) == 0;
}

static void number_is(const struct etm_token *t, const char *expected)
{
	char buf[ETM_DEC_BUFSZ];
	etm_dec_format(t->num, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, expected);
}

/* The single lexical error of SRC must be EXPECTED. */
static void one_error(const char *src, const char *expected)
{
	struct lexed l;
	lex(&l, src);
	CU_ASSERT_EQUAL(l.rc, 1);
	CU_ASSERT_EQUAL(l.diags.n, 1);
	if (l.diags.n == 1)
		CU_ASSERT_STRING_EQUAL(l.diags.items[0].message, expected);
	if (l.diags.n == 1) {
		CU_ASSERT_EQUAL(l.diags.items[0].kind, ETM_DIAG_LEX);
		CU_ASSERT_PTR_NULL(l.diags.items[0].file);
	}
	done(&l);
}

static void test_operators(void)
{
	static const enum etm_tok_kind kinds[] = {
		ETM_TOK_EQ, ETM_TOK_NE, ETM_TOK_GE, ETM_TOK_LE, ETM_TOK_GT, ETM_TOK_LT,
		ETM_TOK_ASSIGN, ETM_TOK_PLUS, ETM_TOK_MINUS, ETM_TOK_STAR, ETM_TOK_SLASH,
		ETM_TOK_AMP, ETM_TOK_QUESTION, ETM_TOK_LBRACKET, ETM_TOK_RBRACKET, ETM_TOK_DOT,
		ETM_TOK_COLON, ETM_TOK_LPAREN, ETM_TOK_RPAREN, ETM_TOK_LBRACE, ETM_TOK_RBRACE,
		ETM_TOK_COMMA, ETM_TOK_SEMICOLON,
	};
	struct lexed l;
	lex(&l, "== != >= <= > < = + - * / & ? [ ] . : ( ) { } , ;");
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL_FATAL(l.toks.n, sizeof kinds / sizeof kinds[0]);
	for (size_t i = 0; i < l.toks.n; i++)
		CU_ASSERT_EQUAL(l.toks.toks[i].kind, kinds[i]);
	CU_ASSERT(text_is(&l.toks.toks[0], "=="));
	CU_ASSERT_EQUAL(l.toks.toks[1].column, 4);
	done(&l);

	/* longest match without spaces: ">==" is ">=" then "=" */
	lex(&l, "a>==b<=c!=d");
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL_FATAL(l.toks.n, 8);
	CU_ASSERT_EQUAL(l.toks.toks[1].kind, ETM_TOK_GE);
	CU_ASSERT_EQUAL(l.toks.toks[2].kind, ETM_TOK_ASSIGN);
	CU_ASSERT_EQUAL(l.toks.toks[4].kind, ETM_TOK_LE);
	CU_ASSERT_EQUAL(l.toks.toks[6].kind, ETM_TOK_NE);
	done(&l);
}

static void test_identifiers_and_keywords(void)
{
	struct lexed l;
	lex(&l, "varavu varavux வரவுகள் _fn _fnx abc_12 X9 வரி vari ௧௨ ா் நிலை_குறி");
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL_FATAL(l.toks.n, 12);
	const struct etm_token *t = l.toks.toks;
	CU_ASSERT(t[0].kind == ETM_TOK_KEYWORD && t[0].kw == ETM_KW_Credit);
	CU_ASSERT(t[1].kind == ETM_TOK_IDENT && text_is(&t[1], "varavux"));
	CU_ASSERT(t[2].kind == ETM_TOK_IDENT && text_is(&t[2], "வரவுகள்"));
	CU_ASSERT(t[3].kind == ETM_TOK_KEYWORD && t[3].kw == ETM_KW_Function);
	CU_ASSERT(t[4].kind == ETM_TOK_IDENT);
	CU_ASSERT(t[5].kind == ETM_TOK_IDENT && text_is(&t[5], "abc_12"));
	CU_ASSERT(t[6].kind == ETM_TOK_IDENT);
	CU_ASSERT(t[7].kind == ETM_TOK_KEYWORD && t[7].kw == ETM_KW_Tax && text_is(&t[7], "வரி"));
	CU_ASSERT(t[8].kind == ETM_TOK_KEYWORD && t[8].kw == ETM_KW_Tax && text_is(&t[8], "vari"));
	/* Tamil digits, vowel signs and virama may start a name */
	CU_ASSERT(t[9].kind == ETM_TOK_IDENT && text_is(&t[9], "௧௨"));
	CU_ASSERT(t[10].kind == ETM_TOK_IDENT);
	CU_ASSERT(t[11].kind == ETM_TOK_KEYWORD && t[11].kw == ETM_KW_StatusCode);
	done(&l);

	/* digits cannot start a name: "12abc" is 12 then abc */
	lex(&l, "12abc");
	CU_ASSERT_EQUAL_FATAL(l.toks.n, 2);
	CU_ASSERT_EQUAL(l.toks.toks[0].kind, ETM_TOK_NUMBER);
	CU_ASSERT(l.toks.toks[1].kind == ETM_TOK_IDENT && text_is(&l.toks.toks[1], "abc"));
	CU_ASSERT_EQUAL(l.toks.toks[1].column, 3);
	done(&l);
}

static void test_keyword_table(void)
{
	int roles[4] = { 0 };
	size_t spellings = 0;
	for (int kw = 1; kw < ETM_KW_COUNT; kw++) {
		roles[etm_kw_role((enum etm_kw)kw)]++;
		for (unsigned i = 0; etm_kw_spelling((enum etm_kw)kw, i); i++) {
			const char *s = etm_kw_spelling((enum etm_kw)kw, i);
			CU_ASSERT_EQUAL(etm_kw_lookup(s, strlen(s)), (enum etm_kw)kw);
			spellings++;
		}
	}
	CU_ASSERT_EQUAL(ETM_KW_COUNT - 1, 202);
	CU_ASSERT_EQUAL(spellings, 505);
	CU_ASSERT_EQUAL(roles[ETM_KW_ROLE_TYPE], 9);
	CU_ASSERT_EQUAL(roles[ETM_KW_ROLE_RESERVED], 104);
	CU_ASSERT_EQUAL(roles[ETM_KW_ROLE_NAME_OK], 89);
	CU_ASSERT_EQUAL(etm_kw_lookup("varavux", 7), ETM_KW_NONE);
	CU_ASSERT_EQUAL(etm_kw_lookup("vara", 4), ETM_KW_NONE);
	CU_ASSERT_EQUAL(etm_kw_lookup("", 0), ETM_KW_NONE);
	CU_ASSERT_STRING_EQUAL(etm_kw_name(ETM_KW_HttpGet), "HttpGet");
	CU_ASSERT_STRING_EQUAL(etm_kw_name(ETM_KW_NONE), "");
	CU_ASSERT_STRING_EQUAL(etm_kw_spelling(ETM_KW_Import, 0), "இறக்கு");
	CU_ASSERT_STRING_EQUAL(etm_kw_spelling(ETM_KW_Import, 2), "_import");
	CU_ASSERT_PTR_NULL(etm_kw_spelling(ETM_KW_Import, 3));
	CU_ASSERT_EQUAL(etm_kw_role(ETM_KW_Let), ETM_KW_ROLE_NAME_OK);
	CU_ASSERT_EQUAL(etm_kw_role(ETM_KW_In), ETM_KW_ROLE_RESERVED);
	CU_ASSERT_EQUAL(etm_kw_role(ETM_KW_DateType), ETM_KW_ROLE_TYPE);
}

static void test_numbers(void)
{
	struct lexed l;
	lex(&l, "0 42 3.14 1.50 18% 12.5% 100% 1. 79228162514264337593543950335");
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL_FATAL(l.toks.n, 10);
	const struct etm_token *t = l.toks.toks;
	number_is(&t[0], "0");
	number_is(&t[1], "42");
	number_is(&t[2], "3.14");
	CU_ASSERT(t[3].kind == ETM_TOK_NUMBER && text_is(&t[3], "1.50"));
	CU_ASSERT_EQUAL(etm_dec_scale(t[3].num), 2);
	CU_ASSERT(t[4].kind == ETM_TOK_PERCENT && text_is(&t[4], "18%"));
	number_is(&t[4], "0.18");
	number_is(&t[5], "0.125");
	number_is(&t[6], "1");
	/* "1." is the number 1 then a dot */
	CU_ASSERT(t[7].kind == ETM_TOK_NUMBER && text_is(&t[7], "1"));
	CU_ASSERT_EQUAL(t[8].kind, ETM_TOK_DOT);
	number_is(&t[9], "79228162514264337593543950335");
	done(&l);

	/* no leading dot: ".5" is a dot then 5 */
	lex(&l, ".5");
	CU_ASSERT_EQUAL_FATAL(l.toks.n, 2);
	CU_ASSERT_EQUAL(l.toks.toks[0].kind, ETM_TOK_DOT);
	done(&l);

	one_error("x = 79228162514264337593543950336;",
		  "வரி 1, நெடுவரிசை 5: அறியப்படாத உள்ளீடு '79228162514264337593543950336'  "
		  "(line 1, column 5: unrecognized input '79228162514264337593543950336')");
	one_error("x = 79228162514264337593543950336%;",
		  "வரி 1, நெடுவரிசை 5: அறியப்படாத உள்ளீடு '79228162514264337593543950336%'  "
		  "(line 1, column 5: unrecognized input '79228162514264337593543950336%')");
	/* a % not right after digits is an error: there is no modulo */
	one_error("x = 5 % 2;",
		  "வரி 1, நெடுவரிசை 7: அறியப்படாத உள்ளீடு '%'  (line 1, column 7: unrecognized input '%')");
}

static void test_strings(void)
{
	struct lexed l;
	lex(&l, "\"a\\nb\\t\\\"q\\\"\\\\ \\r\" \"C:\\kaNakku\" \"\\u0041\" \"\" \"தமிழ்\"");
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL_FATAL(l.toks.n, 5);
	const struct etm_token *t = l.toks.toks;
	CU_ASSERT_EQUAL(t[0].kind, ETM_TOK_STRING);
	CU_ASSERT_EQUAL(t[0].str_len, 10);
	CU_ASSERT(memcmp(t[0].str, "a\nb\t\"q\"\\ \r", 10) == 0);
	CU_ASSERT_STRING_EQUAL(t[1].str, "C:\\kaNakku");
	CU_ASSERT_STRING_EQUAL(t[2].str, "\\u0041");
	CU_ASSERT_EQUAL(t[3].str_len, 0);
	CU_ASSERT_STRING_EQUAL(t[4].str, "தமிழ்");
	/* the token text keeps the quotes and escapes as written */
	CU_ASSERT(text_is(&t[1], "\"C:\\kaNakku\""));
	done(&l);

	/* strings span lines; positions after them stay right */
	lex(&l, "x = \"ஒன்று\nஇரண்டு\n  மூன்று\" ;\n  y");
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL_FATAL(l.toks.n, 5);
	CU_ASSERT_STRING_EQUAL(l.toks.toks[2].str, "ஒன்று\nஇரண்டு\n  மூன்று");
	CU_ASSERT_EQUAL(l.toks.toks[3].line, 3);
	CU_ASSERT_EQUAL(l.toks.toks[3].column, 11);
	CU_ASSERT_EQUAL(l.toks.toks[4].line, 4);
	CU_ASSERT_EQUAL(l.toks.toks[4].column, 3);
	done(&l);

	/* an escaped quote does not end the string; a raw CR is kept */
	lex(&l, "\"a\\\"b\r\"");
	CU_ASSERT_EQUAL_FATAL(l.toks.n, 1);
	CU_ASSERT_STRING_EQUAL(l.toks.toks[0].str, "a\"b\r");
	done(&l);
}

static void test_string_errors(void)
{
	/* missing closing quote: from the quote to the end of the file */
	one_error("x = 1;\ny = \"abc\nதமிழ்",
		  "வரி 2, நெடுவரிசை 5: அறியப்படாத உள்ளீடு '\"abc\nதமிழ்'  "
		  "(line 2, column 5: unrecognized input '\"abc\nதமிழ்')");

	/* backslash before a newline: the stretch stops there and lexing
	   resumes at the line break */
	struct lexed l;
	lex(&l, "s = \"ab\\\nx;");
	CU_ASSERT_EQUAL(l.rc, 1);
	CU_ASSERT_EQUAL_FATAL(l.diags.n, 1);
	CU_ASSERT_STRING_EQUAL(l.diags.items[0].message,
			       "வரி 1, நெடுவரிசை 5: அறியப்படாத உள்ளீடு '\"ab\\'  "
			       "(line 1, column 5: unrecognized input '\"ab\\')");
	CU_ASSERT_EQUAL_FATAL(l.toks.n, 4);
	CU_ASSERT(l.toks.toks[2].kind == ETM_TOK_IDENT && l.toks.toks[2].line == 2);
	done(&l);

	/* the text after a broken string is lexed again: its quote opens a
	   new string running to the end */
	lex(&l, "a = \"x\\\n\" + 1;");
	CU_ASSERT_EQUAL(l.rc, 2);
	CU_ASSERT_EQUAL_FATAL(l.diags.n, 2);
	CU_ASSERT_EQUAL(l.diags.items[1].line, 2);
	CU_ASSERT_EQUAL(l.diags.items[1].column, 1);
	done(&l);

	one_error("\"abc\\", "வரி 1, நெடுவரிசை 1: அறியப்படாத உள்ளீடு '\"abc\\'  "
		  "(line 1, column 1: unrecognized input '\"abc\\')");
}

static void test_comments_and_space(void)
{
	struct lexed l;
	lex(&l, "// முழு வரி\nx = 1; // பின் குறிப்பு # @\n\ty\f= 2 / 3;//");
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL_FATAL(l.toks.n, 10);
	CU_ASSERT_EQUAL(l.toks.toks[4].line, 3);
	CU_ASSERT_EQUAL(l.toks.toks[4].column, 2);	/* a tab is one column */
	CU_ASSERT_EQUAL(l.toks.toks[5].column, 4);	/* so is a form feed */
	CU_ASSERT_EQUAL(l.toks.toks[7].kind, ETM_TOK_SLASH);
	done(&l);

	/* there are no block comments */
	lex(&l, "/* x */");
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL_FATAL(l.toks.n, 5);
	CU_ASSERT_EQUAL(l.toks.toks[1].kind, ETM_TOK_STAR);
	done(&l);
}

static void test_bom_and_cr(void)
{
	struct lexed l;
	lex(&l, "\xEF\xBB\xBFx = 1;");
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL_FATAL(l.toks.n, 4);
	CU_ASSERT_EQUAL(l.toks.toks[0].column, 1);
	CU_ASSERT_EQUAL(l.toks.toks[1].column, 3);
	done(&l);

	/* only one leading BOM is skipped; a second one is an error */
	one_error("\xEF\xBB\xBF\xEF\xBB\xBFx;",
		  "வரி 1, நெடுவரிசை 1: அறியப்படாத உள்ளீடு '\xEF\xBB\xBF'  "
		  "(line 1, column 1: unrecognized input '\xEF\xBB\xBF')");

	/* CR is whitespace (deliberate fix of spec §14.1) */
	lex(&l, "x = 1;\r\ny = 2;\r\n\rz");
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL_FATAL(l.toks.n, 9);
	CU_ASSERT_EQUAL(l.toks.toks[4].line, 2);
	CU_ASSERT_EQUAL(l.toks.toks[4].column, 1);
	CU_ASSERT_EQUAL(l.toks.toks[8].line, 3);
	CU_ASSERT_EQUAL(l.toks.toks[8].column, 2);
	done(&l);
}

static void test_positions_in_tamil(void)
{
	struct lexed l;
	/* அச்சு is five scalar values: அ ச ் ச ு */
	lex(&l, "அச்சு வரி & \"தமிழ்\" & vari;\n  மொத்தம் = 1;");
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL_FATAL(l.toks.n, 11);
	CU_ASSERT_EQUAL(l.toks.toks[0].kw, ETM_KW_Print);
	CU_ASSERT_EQUAL(l.toks.toks[1].column, 7);
	CU_ASSERT_EQUAL(l.toks.toks[2].column, 11);
	CU_ASSERT_EQUAL(l.toks.toks[3].column, 13);
	CU_ASSERT_EQUAL(l.toks.toks[4].column, 21);
	CU_ASSERT_EQUAL(l.toks.toks[5].column, 23);
	CU_ASSERT_EQUAL(l.toks.toks[7].line, 2);
	CU_ASSERT_EQUAL(l.toks.toks[7].column, 3);
	CU_ASSERT_EQUAL(l.toks.toks[8].column, 11);
	done(&l);
}

static void test_errors(void)
{
	one_error("அ = 5 # 2;",
		  "வரி 1, நெடுவரிசை 7: அறியப்படாத உள்ளீடு '#'  (line 1, column 7: unrecognized input '#')");
	one_error("x = !y;",
		  "வரி 1, நெடுவரிசை 5: அறியப்படாத உள்ளீடு '!'  (line 1, column 5: unrecognized input '!')");
	/* whole characters: Devanagari, ZWJ, emoji */
	one_error("न = 1;",
		  "வரி 1, நெடுவரிசை 1: அறியப்படாத உள்ளீடு 'न'  (line 1, column 1: unrecognized input 'न')");
	one_error("அ\xE2\x80\x8D = 1;",
		  "வரி 1, நெடுவரிசை 2: அறியப்படாத உள்ளீடு '\xE2\x80\x8D'  "
		  "(line 1, column 2: unrecognized input '\xE2\x80\x8D')");
	one_error("x = 1; 😀",
		  "வரி 1, நெடுவரிசை 8: அறியப்படாத உள்ளீடு '😀'  (line 1, column 8: unrecognized input '😀')");

	/* every stretch is reported, one character each, in order */
	struct lexed l;
	lex(&l, "x = 1 @# 2;\n$ y = `;");
	CU_ASSERT_EQUAL(l.rc, 4);
	CU_ASSERT_EQUAL_FATAL(l.diags.n, 4);
	CU_ASSERT_EQUAL(l.diags.items[0].column, 7);
	CU_ASSERT_EQUAL(l.diags.items[1].column, 8);
	CU_ASSERT_EQUAL(l.diags.items[2].line, 2);
	CU_ASSERT_EQUAL(l.diags.items[2].column, 1);
	CU_ASSERT_EQUAL(l.diags.items[3].column, 7);
	CU_ASSERT_STRING_EQUAL(l.diags.items[3].message,
			       "வரி 2, நெடுவரிசை 7: அறியப்படாத உள்ளீடு '`'  (line 2, column 7: unrecognized input '`')");
	done(&l);

	/* the CLI prints all of them as one message joined by "\n  " */
	lex(&l, "@ $");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	etm_diag_print(&l.diags, f);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(buf,
			       "✗ வரி 1, நெடுவரிசை 1: அறியப்படாத உள்ளீடு '@'  (line 1, column 1: unrecognized input '@')\n"
			       "  வரி 1, நெடுவரிசை 3: அறியப்படாத உள்ளீடு '$'  (line 1, column 3: unrecognized input '$')\n");
	free(buf);
	done(&l);
}

static void test_utf8_validation(void)
{
	CU_ASSERT(etm_utf8_valid("", 0));
	CU_ASSERT(etm_utf8_valid("தமிழ் abc 😀", strlen("தமிழ் abc 😀")));
	CU_ASSERT(!etm_utf8_valid("\xFF", 1));
	CU_ASSERT(!etm_utf8_valid("\xC0\x80", 2));		/* overlong */
	CU_ASSERT(!etm_utf8_valid("\xED\xA0\x80", 3));		/* surrogate */
	CU_ASSERT(!etm_utf8_valid("\xE0\xAE", 2));		/* truncated */
	CU_ASSERT(!etm_utf8_valid("\xF4\x90\x80\x80", 4));	/* > U+10FFFF */

	/* invalid bytes reaching the lexer are errors of one byte each */
	struct lexed l;
	lex(&l, "x\xFFy");
	CU_ASSERT_EQUAL(l.rc, 1);
	CU_ASSERT_EQUAL(l.toks.n, 2);
	done(&l);
}

static void test_large_input_is_linear(void)
{
	/* 200 000 statements on one line and on many lines; a quadratic
	   position computation would take minutes here */
	const char *stmt = "வருவாய் = வருவாய் + 1.5 * \"x\"; ";
	size_t slen = strlen(stmt), n = 200000;
	char *src = malloc(slen * n + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	for (size_t i = 0; i < n; i++)
		memcpy(src + i * slen, stmt, slen);
	src[slen * n] = 0;
	struct lexed l;
	lex(&l, src);
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL(l.toks.n, 8 * n);
	CU_ASSERT_EQUAL(l.toks.toks[8 * n - 1].line, 1);
	done(&l);
	for (size_t i = 1; i < n; i++)
		src[i * slen - 1] = '\n';
	lex(&l, src);
	CU_ASSERT_EQUAL(l.rc, 0);
	CU_ASSERT_EQUAL(l.toks.toks[8 * n - 1].line, n);
	CU_ASSERT_EQUAL(l.toks.toks[8 * n - 1].column, 30);
	done(&l);
	free(src);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	CU_pSuite s = CU_add_suite("lexer", NULL, NULL);
	CU_add_test(s, "operators and punctuation", test_operators);
	CU_add_test(s, "identifiers and keywords", test_identifiers_and_keywords);
	CU_add_test(s, "keyword table", test_keyword_table);
	CU_add_test(s, "numbers and percentages", test_numbers);
	CU_add_test(s, "strings", test_strings);
	CU_add_test(s, "broken strings", test_string_errors);
	CU_add_test(s, "comments and whitespace", test_comments_and_space);
	CU_add_test(s, "BOM and carriage return", test_bom_and_cr);
	CU_add_test(s, "positions in Tamil text", test_positions_in_tamil);
	CU_add_test(s, "lexical errors", test_errors);
	CU_add_test(s, "UTF-8 validation", test_utf8_validation);
	CU_add_test(s, "large input", test_large_input_is_linear);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
