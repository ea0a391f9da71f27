/* test_parser.c -- CUnit suite for the eTamil parser (spec §3, §4;
 * src/lang/parser.c).  Trees are compared through a small S-expression
 * dump written here. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "ast.h"

/* ------------------------------------------------------------------ */
/* Dumping                                                             */

struct buf {
	char *s;
	size_t len;
	FILE *f;
};

static void dump_expr(FILE *f, const struct etm_expr *e);

static void dump_str(FILE *f, struct etm_str s)
{
	fwrite(s.s, 1, s.len, f);
}

static const char *op_name(enum etm_binop op)
{
	static const char *const names[] = { "+", "-", "*", "/", "&", "==", "!=", "<", "<=",
					     ">", ">=", "and", "or" };
	return names[op];
}

static void dump_list(FILE *f, struct etm_expr *const *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fputc(' ', f);
		dump_expr(f, items[i]);
	}
}

static void dump_expr(FILE *f, const struct etm_expr *e)
{
	char num[ETM_DEC_BUFSZ];
	switch (e->kind) {
	case ETM_EXPR_NUMBER:
		etm_dec_format_scaled(e->u.number.value, num, sizeof num);
		fputs(num, f);
		break;
	case ETM_EXPR_STRING:
		fputc('"', f);
		dump_str(f, e->u.string);
		fputc('"', f);
		break;
	case ETM_EXPR_TRUE: fputs("true", f); break;
	case ETM_EXPR_FALSE: fputs("false", f); break;
	case ETM_EXPR_NIL: fputs("nil", f); break;
	case ETM_EXPR_VAR: dump_str(f, e->u.var); break;
	case ETM_EXPR_BINARY:
		fprintf(f, "(%s ", op_name(e->u.binary.op));
		dump_expr(f, e->u.binary.left);
		fputc(' ', f);
		dump_expr(f, e->u.binary.right);
		fputc(')', f);
		break;
	case ETM_EXPR_NOT:
	case ETM_EXPR_NEG:
	case ETM_EXPR_TRY:
		fputs(e->kind == ETM_EXPR_NOT ? "(not " : e->kind == ETM_EXPR_NEG ? "(neg " : "(try ", f);
		dump_expr(f, e->u.unary.operand);
		fputc(')', f);
		break;
	case ETM_EXPR_CALL:
		fputs("(call ", f);
		dump_str(f, e->u.call.name);
		dump_list(f, e->u.call.args, e->u.call.nargs);
		fputc(')', f);
		break;
	case ETM_EXPR_ARRAY:
		fputs("[", f);
		dump_list(f, e->u.array.items, e->u.array.nitems);
		fputs("]", f);
		break;
	case ETM_EXPR_RECORD:
		fputs("{", f);
		for (size_t i = 0; i < e->u.record.nfields; i++) {
			fputc(' ', f);
			dump_str(f, e->u.record.keys[i]);
			fputc(':', f);
			dump_expr(f, e->u.record.values[i]);
		}
		fputs("}", f);
		break;
	case ETM_EXPR_INDEX:
		fputs("(index ", f);
		dump_expr(f, e->u.index.base);
		fputc(' ', f);
		dump_expr(f, e->u.index.index);
		fputc(')', f);
		break;
	case ETM_EXPR_FIELD:
		fputs("(field ", f);
		dump_expr(f, e->u.field.base);
		fputc(' ', f);
		dump_str(f, e->u.field.name);
		fputc(')', f);
		break;
	}
}

static void dump_opt(FILE *f, const struct etm_expr *e)
{
	fputc(' ', f);
	if (e)
		dump_expr(f, e);
	else
		fputs("-", f);
}

static void dump_block(FILE *f, const struct etm_block *b);

static void dump_stmt(FILE *f, const struct etm_stmt *s)
{
	switch (s->kind) {
	case ETM_STMT_ASSIGN:
		fprintf(f, "(assign%s%s ", s->u.assign.decl ? ":" : "",
			s->u.assign.decl ? etm_kw_name(s->u.assign.decl_kw) : "");
		dump_str(f, s->u.assign.name);
		fputc(' ', f);
		dump_expr(f, s->u.assign.value);
		fputs(s->u.assign.has_init ? ")" : " noinit)", f);
		break;
	case ETM_STMT_CALL:
		dump_expr(f, s->u.call.call);
		break;
	case ETM_STMT_STORE_INDEX:
		fputs("(store ", f);
		dump_str(f, s->u.store_index.name);
		dump_opt(f, s->u.store_index.index);
		dump_opt(f, s->u.store_index.value);
		fputc(')', f);
		break;
	case ETM_STMT_STORE_FIELD:
		fputs("(setfield ", f);
		dump_str(f, s->u.store_field.name);
		fputc(' ', f);
		dump_str(f, s->u.store_field.field);
		dump_opt(f, s->u.store_field.value);
		fputc(')', f);
		break;
	case ETM_STMT_IF:
		fputs("(if ", f);
		dump_expr(f, s->u.if_.cond);
		dump_block(f, &s->u.if_.then_block);
		if (s->u.if_.has_else)
			dump_block(f, &s->u.if_.else_block);
		fputc(')', f);
		break;
	case ETM_STMT_WHILE:
		fputs("(while ", f);
		dump_expr(f, s->u.while_.cond);
		dump_block(f, &s->u.while_.body);
		fputc(')', f);
		break;
	case ETM_STMT_FUNCTION:
		fputs("(fn ", f);
		dump_str(f, s->u.function.name);
		fputs(" (", f);
		for (size_t i = 0; i < s->u.function.nparams; i++) {
			if (i)
				fputc(' ', f);
			dump_str(f, s->u.function.params[i].name);
		}
		fputc(')', f);
		dump_block(f, &s->u.function.body);
		fputc(')', f);
		break;
	case ETM_STMT_RETURN:
		fputs("(return", f);
		dump_opt(f, s->u.return_.value);
		fputc(')', f);
		break;
	case ETM_STMT_FOREACH:
		fputs("(foreach ", f);
		dump_str(f, s->u.foreach.var);
		fputc(' ', f);
		dump_expr(f, s->u.foreach.collection);
		dump_block(f, &s->u.foreach.body);
		fputc(')', f);
		break;
	case ETM_STMT_IMPORT:
		fputs("(import ", f);
		dump_str(f, s->u.import.path);
		fputc(')', f);
		break;
	case ETM_STMT_PRINT:
	case ETM_STMT_INPUT:
		fputs(s->kind == ETM_STMT_PRINT ? "(print " : "(input ", f);
		dump_expr(f, s->u.print.value);
		fputc(')', f);
		break;
	case ETM_STMT_ROUTE:
		fputs("(route ", f);
		dump_str(f, s->u.route.method.name);
		fputc(' ', f);
		dump_expr(f, s->u.route.path);
		dump_block(f, &s->u.route.body);
		fputc(')', f);
		break;
	case ETM_STMT_EVERY:
		fputs("(every ", f);
		dump_expr(f, s->u.every.seconds);
		dump_block(f, &s->u.every.body);
		fputc(')', f);
		break;
	case ETM_STMT_RESPONSE:
		fputs("(response", f);
		dump_opt(f, s->u.response.status);
		dump_opt(f, s->u.response.body);
		dump_opt(f, s->u.response.headers);
		fputc(')', f);
		break;
	case ETM_STMT_JSONBODY:
		fputs("(json", f);
		dump_opt(f, s->u.jsonbody.data);
		dump_opt(f, s->u.jsonbody.status);
		fputc(')', f);
		break;
	case ETM_STMT_STARTSERVER:
		fputs("(startserver", f);
		dump_opt(f, s->u.startserver.host);
		dump_opt(f, s->u.startserver.port);
		fputc(')', f);
		break;
	case ETM_STMT_STOPSERVER:
		fputs("(stopserver)", f);
		break;
	case ETM_STMT_FILEOPEN:
		fputs("(open", f);
		dump_opt(f, s->u.fileopen.file);
		fputc(' ', f);
		dump_str(f, s->u.fileopen.mode);
		fputc(')', f);
		break;
	case ETM_STMT_FILECLOSE:
		fputs("(close", f);
		dump_opt(f, s->u.fileclose.file);
		fputc(')', f);
		break;
	case ETM_STMT_FILEWRITE:
	case ETM_STMT_WRITECSV:
		fputs(s->kind == ETM_STMT_FILEWRITE ? "(write" : "(writecsv", f);
		dump_opt(f, s->u.filewrite.file);
		dump_opt(f, s->u.filewrite.value);
		fputc(')', f);
		break;
	case ETM_STMT_FILEREAD:
	case ETM_STMT_READCSV:
		fputs(s->kind == ETM_STMT_FILEREAD ? "(read" : "(readcsv", f);
		dump_opt(f, s->u.fileread.file);
		fputc(' ', f);
		dump_str(f, s->u.fileread.target.name);
		fputc(')', f);
		break;
	case ETM_STMT_DBCONNECT:
		fputs("(dbconnect ", f);
		dump_str(f, s->u.dbconnect.kind.name);
		dump_opt(f, s->u.dbconnect.conn);
		fputc(')', f);
		break;
	case ETM_STMT_DBDISCONNECT:
		fputs("(dbdisconnect ", f);
		dump_str(f, s->u.dbdisconnect.kind.name);
		fputc(')', f);
		break;
	case ETM_STMT_DBQUERY:
		fputs("(dbquery", f);
		dump_opt(f, s->u.dbquery.sql);
		dump_opt(f, s->u.dbquery.params);
		fputc(' ', f);
		dump_str(f, s->u.dbquery.target.name);
		fputc(')', f);
		break;
	case ETM_STMT_DBEXECUTE:
		fputs("(dbexecute", f);
		dump_opt(f, s->u.dbexecute.sql);
		dump_opt(f, s->u.dbexecute.params);
		fputc(')', f);
		break;
	case ETM_STMT_DBINSERT:
		fputs("(dbinsert ", f);
		dump_str(f, s->u.dbinsert.table.name);
		dump_opt(f, s->u.dbinsert.data);
		fputc(')', f);
		break;
	case ETM_STMT_DBUPDATE:
		fputs("(dbupdate ", f);
		dump_str(f, s->u.dbupdate.table.name);
		dump_opt(f, s->u.dbupdate.data);
		dump_opt(f, s->u.dbupdate.cond);
		fputc(')', f);
		break;
	case ETM_STMT_DBDELETE:
		fputs("(dbdelete ", f);
		dump_str(f, s->u.dbdelete.table.name);
		dump_opt(f, s->u.dbdelete.cond);
		fputc(')', f);
		break;
	case ETM_STMT_CREATETABLE:
		fputs("(createtable ", f);
		dump_str(f, s->u.createtable.table.name);
		dump_opt(f, s->u.createtable.schema);
		fputc(')', f);
		break;
	case ETM_STMT_SELECT:
		fputs("(select", f);
		for (size_t i = 0; i < s->u.select.ncolumns; i++) {
			fputc(' ', f);
			dump_str(f, s->u.select.columns[i].name);
		}
		fputs(" from ", f);
		dump_str(f, s->u.select.table.name);
		dump_opt(f, s->u.select.where);
		fputc(')', f);
		break;
	}
}

static void dump_block(FILE *f, const struct etm_block *b)
{
	fputs(" {", f);
	for (size_t i = 0; i < b->n; i++) {
		if (i)
			fputc(' ', f);
		dump_stmt(f, b->items[i]);
	}
	fputc('}', f);
}

/* Parse SRC and return its dump ("ERROR: message" on failure); the
   caller frees the result. */
static char *parse_dump(const char *src)
{
	struct etm_diag d;
	etm_diag_init(&d);
	struct etm_ast_program *p = etm_parse_string(src, strlen(src), &d);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!p) {
		fputs("ERROR: ", f);
		for (size_t i = 0; i < d.n; i++)
			fputs(d.items[i].message, f);
	} else {
		for (size_t i = 0; i < p->body.n; i++) {
			if (i)
				fputc(' ', f);
			dump_stmt(f, p->body.items[i]);
		}
	}
	fclose(f);
	etm_ast_free(p);
	etm_diag_free(&d);
	return out;
}

#define PARSES(src, expected)                                      \
	do {                                                       \
		char *got_ = parse_dump(src);                      \
		CU_ASSERT_STRING_EQUAL(got_, expected);            \
		if (strcmp(got_, expected) != 0)                   \
			fprintf(stderr, "\n  %s\n  got:  %s\n  want: %s\n", src, got_, expected); \
		free(got_);                                        \
	} while (0)

/* The exact parse error message of SRC. */
#define FAILS(src, expected) PARSES(src, "ERROR: " expected)

/* ------------------------------------------------------------------ */
/* Statements                                                          */

static void test_assignments(void)
{
	PARSES("x = 1; வரி = 100; vari = 7;", "(assign x 1) (assign வரி 100) (assign vari 7)");
	PARSES("எண் வருவாய் = 1000; சொல் s; அணி a;",
	       "(assign:IntegerType வருவாய் 1000) (assign:StringType s 0 noinit) "
	       "(assign:ArrayType a 0 noinit)");
	PARSES("பின்னம் a = 1; உரை b = 1; ஈர்ம c = 1; தரவு d = 1; பொருள் e = 1; தேதி f = 1;",
	       "(assign:FloatType a 1) (assign:TextType b 1) (assign:BoolType c 1) "
	       "(assign:DataType d 1) (assign:ObjectType e 1) (assign:DateType f 1)");
	/* name-ok keywords, மாறி and நிலை are names */
	PARSES("மாறி = 1; nilY = மாறி; இருப்பு = இருப்பு + 1;",
	       "(assign மாறி 1) (assign nilY மாறி) (assign இருப்பு (+ இருப்பு 1))");
	/* a type word before a non-name is dropped */
	PARSES("எண் (x) எனில் { }", "(if x {})");
	PARSES("எண் அச்சு 1;", "(print 1)");
	PARSES("எண் f(1);", "(call f 1)");
}

static void test_declared_types(void)
{
	struct etm_diag d;
	etm_diag_init(&d);
	const char *src = "எண் a = 1;\nசொல் b;\nc = 2;";
	struct etm_ast_program *p = etm_parse_string(src, strlen(src), &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL_FATAL(p->body.n, 3);
	const struct etm_stmt *s = p->body.items[0];
	CU_ASSERT_EQUAL(s->u.assign.decl, ETM_DECL_NUMBER);
	CU_ASSERT_EQUAL(s->pos.column, 1);
	CU_ASSERT_EQUAL(s->u.assign.name_pos.column, 5);
	s = p->body.items[1];
	CU_ASSERT_EQUAL(s->u.assign.decl, ETM_DECL_TEXT);
	CU_ASSERT_EQUAL(s->u.assign.has_init, 0);
	CU_ASSERT_EQUAL(s->u.assign.value->kind, ETM_EXPR_NUMBER);
	CU_ASSERT(etm_dec_is_zero(s->u.assign.value->u.number.value));
	CU_ASSERT_EQUAL(s->u.assign.name_pos.line, 2);
	s = p->body.items[2];
	CU_ASSERT_EQUAL(s->u.assign.decl, ETM_DECL_NONE);
	CU_ASSERT_EQUAL(s->u.assign.decl_kw, ETM_KW_NONE);
	etm_ast_free(p);
	etm_diag_free(&d);
}

static void test_calls_and_stores(void)
{
	PARSES("f(); g(1, \"a\", h(2));", "(call f) (call g 1 \"a\" (call h 2))");
	PARSES("a[0] = 9; ப[\"கீ\"] = 1; ப.x = 2; r.\"Content-Type\" = 3;",
	       "(store a 0 9) (store ப \"கீ\" 1) (setfield ப x 2) (setfield r Content-Type 3)");
	/* stores are one level deep */
	FAILS("a[0][1] = v;", "வரி 1, நெடுவரிசை 5: '=' எதிர்பார்க்கப்பட்டது, '[' கிடைத்தது  "
	      "(line 1, column 5: expected '=', found '[')");
	FAILS("r.a.b = v;", "வரி 1, நெடுவரிசை 4: '=' எதிர்பார்க்கப்பட்டது, '.' கிடைத்தது  "
	      "(line 1, column 4: expected '=', found '.')");
	/* only NAME(...); stands as a statement */
	FAILS("f(x)?;", "வரி 1, நெடுவரிசை 5: ';' எதிர்பார்க்கப்பட்டது, '?' கிடைத்தது  "
	      "(line 1, column 5: expected ';', found '?')");
	FAILS("(f(x));", "வரி 1, நெடுவரிசை 7: எனில் (eZil) or சுற்று (cuRRu) after a condition "
	      "எதிர்பார்க்கப்பட்டது, ';' கிடைத்தது  (line 1, column 7: expected எனில் (eZil) or "
	      "சுற்று (cuRRu) after a condition, found ';')");
	FAILS("5;", "வரி 1, நெடுவரிசை 1: a statement எதிர்பார்க்கப்பட்டது, '5' கிடைத்தது  "
	      "(line 1, column 1: expected a statement, found '5')");
	FAILS("\"x\";", "வரி 1, நெடுவரிசை 1: a statement எதிர்பார்க்கப்பட்டது, '\"x\"' கிடைத்தது  "
	      "(line 1, column 1: expected a statement, found '\"x\"')");
}

static void test_control_flow(void)
{
	PARSES("(அ > 1) எனில் { அச்சு அ; } இன்றேல் { அச்சு 0; }",
	       "(if (> அ 1) {(print அ)} {(print 0)})");
	PARSES("(x) eZil { } iZREl { (y) எனில் { z = 1; } }", "(if x {} {(if y {(assign z 1)})})");
	PARSES("(i < 3) சுற்று { i = i + 1; }", "(while (< i 3) {(assign i (+ i 1))})");
	PARSES("ஒவ்வொரு x இல் [1, 2] { அச்சு x; } _each k _in r { }",
	       "(foreach x [ 1 2] {(print x)}) (foreach k r {})");
	PARSES("ஒவ்வொரு \"க\" இல் xs { }", "(foreach க xs {})");
	PARSES("செயல் f(a, b) { திரும்பு a + b; } _fn g() { திரும்பு; } ceyal h(\"p\", a) { }",
	       "(fn f (a b) {(return (+ a b))}) (fn g () {(return -)}) (fn h (p a) {})");
	PARSES("செயல் வாழ்த்து(பெயர்) { திரும்பு \"வணக்கம், \" & பெயர்; }",
	       "(fn வாழ்த்து (பெயர்) {(return (& \"வணக்கம், \" பெயர்))})");
	PARSES("அச்சு 1; உள்ளிடு x; உள்ளிடு a[0];", "(print 1) (input x) (input (index a 0))");
	PARSES("இறக்கு \"lib.qmz\"; இறக்கு (\"b.qmz\"); _import ((\"c\"));",
	       "(import lib.qmz) (import b.qmz) (import c)");
	/* nested function definitions and blocks */
	PARSES("(1) சுற்று { செயல் f() { (2) எனில் { } } }", "(while 1 {(fn f () {(if 2 {})})})");
}

static void test_server_statements(void)
{
	PARSES("வழி பெறு, \"/hello\" { பதில் 200, \"x\", {\"Content-Type\": \"text/plain\"}; }",
	       "(route GET \"/hello\" {(response 200 \"x\" { Content-Type:\"text/plain\"})})");
	PARSES("வழி பதி, \"/a\" { பதில் 201, b; } வழி இடு, p { } வழி அழி, p { } "
	       "வழி ஒட்டு, p { } வழி தெரிவு, p { } வழி தலை, p { }",
	       "(route POST \"/a\" {(response 201 b -)}) (route PUT p {}) (route DELETE p {}) "
	       "(route PATCH p {}) (route OPTIONS p {}) (route HEAD p {})");
	/* any token is a method */
	PARSES("வழி peRu, p { } வழி _get, p { } வழி get, p { } வழி வரவு, p { } "
	       "வழி \"x\", p { } வழி 5, p { } வழி ,, p { } வழி எண், p { }",
	       "(route GET p {}) (route GET p {}) (route get p {}) (route Credit p {}) "
	       "(route String(\"x\") p {}) (route Number(5) p {}) (route Comma p {}) "
	       "(route IntegerType p {})");
	/* a string method is named the way Rust debug-prints it */
	PARSES("வழி \"கா\\n\\\"\\u00a0\", p { }",
	       "(route String(\"க\\u{bbe}\\n\\\"\\\\u00a0\") p {})");
	PARSES("இடைவெளி 60 { அச்சு 1; } _every 0.5 { }", "(every 60 {(print 1)}) (every 0.5 {})");
	PARSES("ஜேசான்_உரை x; ஜேசான்_உரை x, 201; வழங்கி_தொடங்கு \"h\", 80; வழங்கி_நிறுத்து;",
	       "(json x -) (json x 201) (startserver \"h\" 80) (stopserver)");
}

static void test_route_method_token(void)
{
	struct etm_diag d;
	etm_diag_init(&d);
	const char *src = "வழி _get, \"/\" { }\nவழி vari, \"/\" { }";
	struct etm_ast_program *p = etm_parse_string(src, strlen(src), &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	const struct etm_any_token *m = &p->body.items[0]->u.route.method;
	CU_ASSERT_EQUAL(m->kw, ETM_KW_HttpGet);
	CU_ASSERT_STRING_EQUAL(m->name.s, "GET");
	CU_ASSERT_STRING_EQUAL(m->text.s, "_get");
	CU_ASSERT_EQUAL(m->pos.column, 5);
	m = &p->body.items[1]->u.route.method;
	CU_ASSERT_EQUAL(m->kw, ETM_KW_Tax);
	CU_ASSERT_STRING_EQUAL(m->name.s, "Tax");
	CU_ASSERT_EQUAL(m->pos.line, 2);
	etm_ast_free(p);
	etm_diag_free(&d);
}

static void test_file_and_db_statements(void)
{
	PARSES("கோப்பு_திற \"f\"; கோப்பு_திற \"f\", \"WRITE\"; கோப்பு_திற f, Append; "
	       "கோப்பு_திற f, 1.50; கோப்பு_திற f, 18%; கோப்பு_திற f, மெய்; கோப்பு_திற f, a + b; "
	       "கோப்பு_திற f, g(1); கோப்பு_திற f, r.MODE; கோப்பு_திற f, [1];",
	       "(open \"f\" read) (open \"f\" write) (open f append) (open f 1.50) (open f 0.18) "
	       "(open f true) (open f +) (open f g) (open f mode) (open f array)");
	PARSES("கோப்பு_மூடு f; கோப்பு_எழுது f, 1; கோப்பு_படி f, x; தரவுரை_படி f, \"n\"; "
	       "தரவுரை_எழுது f, [1];",
	       "(close f) (write f 1) (read f x) (readcsv f n) (writecsv f [ 1])");
	PARSES("தளம்_இணை சீகுலைட், \"a.db\"; தளம்_பிரி _SQLite; தளம்_இணை கவி_மொழி, c; "
	       "தளம்_இணை போச்குரசீகுல், c; தளம்_இணை மைசீகுல், c; தளம்_இணை x, c;",
	       "(dbconnect SQLite \"a.db\") (dbdisconnect SQLite) (dbconnect SQL c) "
	       "(dbconnect PostgreSQL c) (dbconnect MySQL c) (dbconnect x c)");
	PARSES("தளம்_வினா \"select\", [], rows; தளம்_செய் \"q\", [1];",
	       "(dbquery \"select\" [] rows) (dbexecute \"q\" [ 1])");
	PARSES("தளம்_செருக t, {a: 1}; தளம்_புதுப்பி t, d; தளம்_புதுப்பி t, d, c; "
	       "தளம்_நீக்கு t, c; அட்டை_ஆக்கு t, s;",
	       "(dbinsert t { a:1}) (dbupdate t d -) (dbupdate t d c) (dbdelete t c) "
	       "(createtable t s)");
	PARSES("தேர்வெடு a, \"b\" இதனில் t; தேர்வெடு a இதனில் t விதி a > 1;",
	       "(select a b from t -) (select a from t (> a 1))");
}

/* ------------------------------------------------------------------ */
/* Expressions                                                         */

static void test_precedence(void)
{
	/* & has the precedence of + and - */
	PARSES("x = \"மொத்தம்: \" & 2 + 3;", "(assign x (+ (& \"மொத்தம்: \" 2) 3))");
	/* comparisons chain left to right */
	PARSES("x = 1 < 2 == மெய்;", "(assign x (== (< 1 2) true))");
	/* unary minus binds tighter than * */
	PARSES("x = -2 * 3 + 10 / 4;", "(assign x (+ (* (neg 2) 3) (/ 10 4)))");
	PARSES("x = -a[0].b?;", "(assign x (neg (try (field (index a 0) b))))");
	PARSES("x = a - b - c;", "(assign x (- (- a b) c))");
	PARSES("x = a அல்லது b மற்றும் c;", "(assign x (or a (and b c)))");
	PARSES("x = இல்லை a == b மற்றும் இல்லை இல்லை c;", "(assign x (and (not (== a b)) (not (not c))))");
	PARSES("x = (a + b) * c;", "(assign x (* (+ a b) c))");
	PARSES("x = a >= b != c <= d > e < f;", "(assign x (< (> (<= (!= (>= a b) c) d) e) f))");
	/* இல்லை cannot follow a comparison */
	FAILS("x = a == இல்லை b;", "வரி 1, நெடுவரிசை 10: a value எதிர்பார்க்கப்பட்டது, 'இல்லை' கிடைத்தது  "
	      "(line 1, column 10: expected a value, found 'இல்லை')");
}

static void test_literals(void)
{
	PARSES("x = [1, \"இரண்டு\", மெய், இன்மை, பொய்]; y = []; z = {};",
	       "(assign x [ 1 \"இரண்டு\" true nil false]) (assign y []) (assign z {})");
	PARSES("x = {வயது: 30, \"பெயர்\": \"ரவி\", a: 1, a: 2, வரி: 3};",
	       "(assign x { வயது:30 பெயர்:\"ரவி\" a:1 a:2 வரி:3})");
	PARSES("x = 250.50 * 18%;", "(assign x (* 250.50 0.18))");
	PARSES("x = f(g(1)[2]).\"Content-Type\"?;",
	       "(assign x (try (field (call f (index (call g 1) 2)) Content-Type)))");
	PARSES("x = mey; y = poy; z = iZmY;", "(assign x true) (assign y false) (assign z nil)");
}

static void test_positions(void)
{
	struct etm_diag d;
	etm_diag_init(&d);
	const char *src = "அச்சு வரி + f(1);\n  (x) எனில் { }";
	struct etm_ast_program *p = etm_parse_string(src, strlen(src), &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	const struct etm_stmt *s = p->body.items[0];
	CU_ASSERT(s->pos.line == 1 && s->pos.column == 1 && s->pos.file == 0);
	const struct etm_expr *e = s->u.print.value;
	CU_ASSERT_EQUAL(e->pos.column, 11);	/* the operator */
	CU_ASSERT_EQUAL(e->u.binary.left->pos.column, 7);
	CU_ASSERT_EQUAL(e->u.binary.right->pos.column, 13);
	s = p->body.items[1];
	CU_ASSERT(s->pos.line == 2 && s->pos.column == 3);
	CU_ASSERT_EQUAL(p->nfiles, 1);
	CU_ASSERT_PTR_NULL(p->files[0]);
	CU_ASSERT_STRING_EQUAL(etm_ast_file(p, s->pos), "");
	etm_ast_free(p);
	etm_diag_free(&d);
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */

#define AT(l, c, exp, found)                                                           \
	"வரி " #l ", நெடுவரிசை " #c ": " exp " எதிர்பார்க்கப்பட்டது, '" found "' கிடைத்தது  " \
	"(line " #l ", column " #c ": expected " exp ", found '" found "')"
#define END(l, c, exp)                                                             \
	"வரி " #l ", நெடுவரிசை " #c ": " exp " எதிர்பார்க்கப்பட்டது, உள்ளீடு முடிந்தது  " \
	"(line " #l ", column " #c ": expected " exp ", but the input ended)"

static void test_errors_punctuation(void)
{
	FAILS("(அ > 1) எனில் {\n  அச்சு அ\n}", AT(3, 1, "';'", "}"));
	FAILS("x = 1", END(1, 5, "';'"));
	FAILS("f(1, 2;", AT(1, 7, "')'", ";"));
	FAILS("x = {a 1};", AT(1, 8, "':'", "1"));
	FAILS("x = [1, 2;", AT(1, 10, "']'", ";"));
	FAILS("a[1 = 2;", AT(1, 5, "']'", "="));
	FAILS("x 1;", AT(1, 3, "'='", "1"));
	FAILS("மாறி x = 1;", AT(1, 6, "'='", "x"));
	FAILS("செயல் f) { }", AT(1, 8, "'('", ")"));
	FAILS("செயல் f() }", AT(1, 11, "'{'", "}"));
	FAILS("(x) எனில் { அச்சு 1;", END(1, 20, "'}'"));
	FAILS("வழி பெறு \"/\" { }", AT(1, 10, "','", "\"/\""));
	FAILS("ஒவ்வொரு x y { }", AT(1, 11, "இல் (il)", "y"));
	FAILS("ஒவ்வொரு x", END(1, 9, "இல் (il)"));
	FAILS("தேர்வெடு a, b c;", AT(1, 15, "இதனில் (iqaZil)", "c"));
	FAILS("x = [1, 2,];", AT(1, 11, "a value", "]"));
	FAILS("f(1,);", AT(1, 5, "a value", ")"));
	FAILS("x = {a: 1,};", AT(1, 11, "a field name", "}"));
	FAILS("செயல் f(a,) { }", AT(1, 11, "a parameter name", ")"));
}

static void test_errors_expected_words(void)
{
	FAILS(";", AT(1, 1, "a statement", ";"));
	FAILS("{ }", AT(1, 1, "a statement", "{"));
	FAILS("col = 1;", AT(1, 5, "a statement", "="));
	FAILS("எண் எண் x;", AT(1, 5, "a statement", "எண்"));
	FAILS("எனில் x;", AT(1, 1, "a statement", "எனில்"));
	FAILS("x = ;", AT(1, 5, "a value", ";"));
	FAILS("x =", END(1, 3, "a value"));
	FAILS("எண்", END(1, 1, "a name after the type"));
	FAILS("செயல் 5() { }", AT(1, 7, "a function name", "5"));
	FAILS("செயல் அச்சு() { }", AT(1, 7, "a function name", "அச்சு"));
	FAILS("செயல் f(1) { }", AT(1, 9, "a parameter name", "1"));
	FAILS("ஒவ்வொரு 1 இல் x { }", AT(1, 9, "a loop variable", "1"));
	FAILS("x = r.1;", AT(1, 7, "a field name", "1"));
	FAILS("x = {தேதி: d};", AT(1, 6, "a field name", "தேதி"));
	FAILS("x = r.தேதி;", AT(1, 7, "a field name", "தேதி"));
	FAILS("கோப்பு_படி \"f\", 1;", AT(1, 17, "a variable to read into", "1"));
	FAILS("தரவுரை_படி \"f\", col;", AT(1, 17, "a variable to read into", "col"));
	FAILS("தளம்_வினா \"q\", [], 1;", AT(1, 20, "a variable to hold the rows", "1"));
	FAILS("தளம்_செருக 1, x;", AT(1, 12, "a table name", "1"));
	FAILS("தேர்வெடு 1 இதனில் t;", AT(1, 10, "a column name", "1"));
	FAILS("தளம்_இணை", END(1, 1, "a database type"));
	FAILS("வழி", END(1, 1, "an HTTP method"));
	FAILS("(x) y { }", AT(1, 5, "எனில் (eZil) or சுற்று (cuRRu) after a condition", "y"));
	FAILS("(x)", END(1, 3, "எனில் (eZil) or சுற்று (cuRRu) after a condition"));
	FAILS("_join = 1;", AT(1, 1, "a statement", "_join"));
}

static void test_errors_import(void)
{
	FAILS("இறக்கு;", AT(1, 7, "a value", ";"));
	FAILS("இறக்கு x y;", AT(1, 10, "';'", "y"));
	FAILS("இறக்கு கணக்கு;", END(1, 14, "a quoted file path after இறக்கு (iRakku)"));
	FAILS("இறக்கு \"a\" & \"b\";\n", END(1, 17, "a quoted file path after இறக்கு (iRakku)"));
}

static void test_first_error_only(void)
{
	struct etm_diag d;
	etm_diag_init(&d);
	const char *src = "x = ;\ny = ;";
	struct etm_ast_program *p = etm_parse_string(src, strlen(src), &d);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL_FATAL(d.n, 1);
	CU_ASSERT_EQUAL(d.items[0].kind, ETM_DIAG_PARSE);
	CU_ASSERT_EQUAL(d.items[0].line, 1);
	CU_ASSERT_EQUAL(d.items[0].column, 5);
	etm_diag_free(&d);

	/* lexical errors stop loading before parsing */
	src = "x = ; @";
	p = etm_parse_string(src, strlen(src), &d);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL_FATAL(d.n, 1);
	CU_ASSERT_EQUAL(d.items[0].kind, ETM_DIAG_LEX);
	etm_diag_free(&d);
}

static void test_nesting_limit(void)
{
	size_t n = 100000;
	char *src = malloc(2 * n + 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	if (!src)	/* (GCC cannot tell that the FATAL assertion does not return) */
		return;
	strcpy(src, "x = ");
	memset(src + 4, '(', n);
	strcpy(src + 4 + n, "1");
	struct etm_diag d;
	etm_diag_init(&d);
	struct etm_ast_program *p = etm_parse_string(src, strlen(src), &d);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL_FATAL(d.n, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.items[0].message, "nesting too deep"));
	etm_diag_free(&d);

	/* 100 levels are fine */
	memset(src, 0, 2 * n + 16);
	strcpy(src, "x = ");
	memset(src + 4, '(', 100);
	strcpy(src + 104, "1");
	memset(src + 105, ')', 100);
	strcpy(src + 205, ";");
	p = etm_parse_string(src, strlen(src), &d);
	CU_ASSERT_PTR_NOT_NULL(p);
	etm_ast_free(p);
	etm_diag_free(&d);
	free(src);
}

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *s = malloc(hl + ul * n + tl + 1);
	memcpy(s, head, hl);
	for (size_t i = 0; i < n; i++)
		memcpy(s + hl + i * ul, unit, ul);
	memcpy(s + hl + ul * n, tail, tl + 1);
	return s;
}

static int parses(const char *src, const char *fragment)
{
	struct etm_diag d;
	etm_diag_init(&d);
	struct etm_ast_program *p = etm_parse_string(src, strlen(src), &d);
	int ok = p != NULL;
	if (!p && fragment && (d.n != 1 || !strstr(d.items[0].message, fragment)))
		ok = -1;
	etm_ast_free(p);
	etm_diag_free(&d);
	return ok;
}

static void test_expression_depth(void)
{
	/* x = 1 + 1 + ... : n operators make a tree of height n + 1 */
	char *src = repeat("x = 1", " + 1", ETM_AST_MAX_DEPTH - 1, ";");
	CU_ASSERT_EQUAL(parses(src, NULL), 1);
	free(src);
	src = repeat("x = 1", " + 1", ETM_AST_MAX_DEPTH, ";");
	CU_ASSERT_EQUAL(parses(src, "expression too deep, more than 1000 levels"), 0);
	free(src);
	src = repeat("x = r", ".f", 100000, ";");
	CU_ASSERT_EQUAL(parses(src, "expression too deep"), 0);
	free(src);
	src = repeat("x = r", "?", 100000, ";");
	CU_ASSERT_EQUAL(parses(src, "expression too deep"), 0);
	free(src);
	src = repeat("x = [", "1, ", 100000, "2];");
	CU_ASSERT_EQUAL(parses(src, NULL), 1);	/* wide is fine */
	free(src);
	src = repeat("", "(1) எனில் { ", 300, "");
	CU_ASSERT_EQUAL(parses(src, "nesting too deep, more than 256 levels"), 0);
	free(src);

	struct etm_diag d;
	etm_diag_init(&d);
	const char *s = "x = f(1 + 2, -a[b.c]);";
	struct etm_ast_program *p = etm_parse_string(s, strlen(s), &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	const struct etm_expr *e = p->body.items[0]->u.assign.value;
	CU_ASSERT_EQUAL(e->depth, 5);	/* call > neg > index > field > b */
	CU_ASSERT_EQUAL(e->u.call.args[0]->depth, 2);
	CU_ASSERT_EQUAL(e->u.call.args[0]->u.binary.left->depth, 1);
	etm_ast_free(p);
	etm_diag_free(&d);
}

static void test_empty_and_split(void)
{
	PARSES("", "");
	PARSES("// only a comment\n", "");

	struct etm_diag d;
	etm_diag_init(&d);
	const char *src = "செயல் f() { }\nவழி பெறு, \"/a\" { }\nஇடைவெளி 5 { }\nx = 1;\nவழி பதி, \"/b\" { }";
	struct etm_ast_program *p = etm_parse_string(src, strlen(src), &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	struct etm_ast_split sp;
	CU_ASSERT_EQUAL_FATAL(etm_ast_split(p, &sp), 0);
	CU_ASSERT_EQUAL(sp.nroutes, 2);
	CU_ASSERT_EQUAL(sp.nschedules, 1);
	CU_ASSERT_EQUAL(sp.nprelude, 2);
	CU_ASSERT_EQUAL(sp.routes[1]->pos.line, 5);
	CU_ASSERT_EQUAL(sp.prelude[1]->kind, ETM_STMT_ASSIGN);
	etm_ast_split_free(&sp);
	etm_ast_free(p);
	etm_diag_free(&d);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	CU_pSuite s = CU_add_suite("parser", NULL, NULL);
	CU_add_test(s, "assignments and declarations", test_assignments);
	CU_add_test(s, "declared types and positions", test_declared_types);
	CU_add_test(s, "calls and stores", test_calls_and_stores);
	CU_add_test(s, "control flow, functions, print, import", test_control_flow);
	CU_add_test(s, "server statements", test_server_statements);
	CU_add_test(s, "route method token", test_route_method_token);
	CU_add_test(s, "file and database statements", test_file_and_db_statements);
	CU_add_test(s, "precedence", test_precedence);
	CU_add_test(s, "literals and postfix", test_literals);
	CU_add_test(s, "expression positions", test_positions);
	CU_add_test(s, "errors: punctuation", test_errors_punctuation);
	CU_add_test(s, "errors: expected words", test_errors_expected_words);
	CU_add_test(s, "errors: import", test_errors_import);
	CU_add_test(s, "first error only", test_first_error_only);
	CU_add_test(s, "nesting limit", test_nesting_limit);
	CU_add_test(s, "expression depth", test_expression_depth);
	CU_add_test(s, "empty program and server split", test_empty_and_split);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
