/* ast.h -- the syntax tree of an eTamil program, its diagnostics, and the
 * front-end entry points (load = lex + parse + splice imports; check).
 *
 * Ownership: every node, name and string of a program lives in one arena
 * owned by the struct etm_ast_program; etm_ast_free() releases all of it at
 * once.  After loading, a program is never modified, so it may be shared
 * read-only by any number of threads.  Nothing here keeps global mutable
 * state; every function is reentrant.
 *
 * Positions: line and column are 1-based; a column counts Unicode scalar
 * values (a tab is one column, a leading BOM none); only '\n' starts a line.
 * pos.file indexes program->files (0 = the main file).
 *
 * Names are stored exactly as written (UTF-8, no keyword is translated); a
 * quoted name ("Content-Type") is stored as its unescaped contents.  Every
 * struct etm_str is also NUL-terminated (s[len] == 0), but may contain NUL
 * bytes itself when a string literal does, so use len.
 *
 * Stability: this header is shared with the compiler/VM and the daemon;
 * changes are additive only.
 */
#ifndef ETM_AST_H
#define ETM_AST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decimal.h"
#include "keywords.h"

struct etm_arena;

/* ------------------------------------------------------------------ */
/* Basics                                                              */

struct etm_pos {
	uint32_t line;		/* 1-based */
	uint32_t column;	/* 1-based, in Unicode scalar values */
	uint32_t file;		/* index into etm_ast_program.files */
};

struct etm_str {
	const char *s;		/* UTF-8, NUL-terminated, arena-owned */
	size_t len;		/* bytes, without the terminating NUL */
};

/* ------------------------------------------------------------------ */
/* Expressions                                                         */

enum etm_expr_kind {
	ETM_EXPR_NUMBER,	/* u.number: number or percentage literal */
	ETM_EXPR_STRING,	/* u.string: unescaped contents */
	ETM_EXPR_TRUE,		/* மெய் */
	ETM_EXPR_FALSE,		/* பொய் */
	ETM_EXPR_NIL,		/* இன்மை */
	ETM_EXPR_VAR,		/* u.var: a name read */
	ETM_EXPR_BINARY,	/* u.binary: + - * / & comparisons மற்றும் அல்லது */
	ETM_EXPR_NOT,		/* u.unary: இல்லை operand */
	ETM_EXPR_NEG,		/* u.unary: "-" operand; exactly 0 - operand
				   (the reference compiles number 0, operand,
				   subtract) */
	ETM_EXPR_CALL,		/* u.call: NAME(args) */
	ETM_EXPR_ARRAY,		/* u.array: [items] */
	ETM_EXPR_RECORD,	/* u.record: {key: value, ...} in source order
				   (duplicates kept; the first wins at run time) */
	ETM_EXPR_INDEX,		/* u.index: base[index] */
	ETM_EXPR_FIELD,		/* u.field: base.name */
	ETM_EXPR_TRY		/* u.unary: operand? */
};

enum etm_binop {
	ETM_OP_ADD,		/* +  (number) */
	ETM_OP_SUB,		/* -  (number) */
	ETM_OP_MUL,		/* *  (number) */
	ETM_OP_DIV,		/* /  (number) */
	ETM_OP_CONCAT,		/* &  (text); same precedence as + and - */
	ETM_OP_EQ,		/* == */
	ETM_OP_NE,		/* != */
	ETM_OP_LT,		/* <  */
	ETM_OP_LE,		/* <= */
	ETM_OP_GT,		/* >  */
	ETM_OP_GE,		/* >= */
	ETM_OP_AND,		/* மற்றும் (short-circuit, boolean result) */
	ETM_OP_OR		/* அல்லது  (short-circuit, boolean result) */
};

struct etm_expr {
	enum etm_expr_kind kind;
	/* First token of the expression; for ETM_EXPR_BINARY the operator
	   token, for INDEX/FIELD/TRY the '[' / '.' / '?' token. */
	struct etm_pos pos;
	union {
		struct {
			etm_dec value;		/* exact; a percentage is already / 100 */
			struct etm_str text;	/* as written, e.g. "18%", "1.50" */
			int is_percent;
		} number;
		struct etm_str string;
		struct etm_str var;
		struct {
			enum etm_binop op;
			struct etm_expr *left, *right;
		} binary;
		struct {
			struct etm_expr *operand;
		} unary;
		struct {
			struct etm_str name;	/* as written; user function or builtin */
			struct etm_expr **args;
			size_t nargs;
		} call;
		struct {
			struct etm_expr **items;
			size_t nitems;
		} array;
		struct {
			struct etm_str *keys;	/* as written / unquoted */
			struct etm_pos *key_pos;
			struct etm_expr **values;
			size_t nfields;
		} record;
		struct {
			struct etm_expr *base, *index;
		} index;
		struct {
			struct etm_expr *base;
			struct etm_str name;
			struct etm_pos name_pos;
		} field;
	} u;
	/* Height of this subtree: 1 for a leaf, else 1 + the highest child.
	   The parser guarantees depth <= ETM_AST_MAX_DEPTH, so consumers may
	   recurse over expressions. */
	uint32_t depth;
};

/* Highest expression tree the parser accepts; deeper input (e.g. a chain
   of thousands of "+" or ".field") is a parse error ("expression too
   deep") instead of a stack overflow later. */
#define ETM_AST_MAX_DEPTH 1000

/* ------------------------------------------------------------------ */
/* Statements                                                          */

struct etm_stmt;

struct etm_block {
	struct etm_stmt **items;
	size_t n;
};

/* Declared type of an assignment (spec §5). */
enum etm_decl_type {
	ETM_DECL_NONE = 0,	/* no type word */
	ETM_DECL_NUMBER,	/* எண், பின்னம் */
	ETM_DECL_TEXT,		/* சொல், உரை */
	ETM_DECL_BOOLEAN,	/* ஈர்ம */
	ETM_DECL_ARRAY,		/* அணி */
	ETM_DECL_RECORD,	/* பொருள், தரவு */
	ETM_DECL_DATE		/* தேதி */
};

enum etm_stmt_kind {
	ETM_STMT_ASSIGN,	/* [TYPE] NAME = expr;  |  TYPE NAME; */
	ETM_STMT_CALL,		/* NAME(args);  (u.call.call is an ETM_EXPR_CALL) */
	ETM_STMT_STORE_INDEX,	/* NAME[index] = value; */
	ETM_STMT_STORE_FIELD,	/* NAME.field = value; */
	ETM_STMT_IF,		/* (cond) எனில் {then} [இன்றேல் {else}] */
	ETM_STMT_WHILE,		/* (cond) சுற்று {body} */
	ETM_STMT_FUNCTION,	/* செயல் name(params) {body} */
	ETM_STMT_RETURN,	/* திரும்பு [expr]; */
	ETM_STMT_FOREACH,	/* ஒவ்வொரு var இல் expr {body} */
	ETM_STMT_IMPORT,	/* இறக்கு "path"; -- only nested ones survive
				   loading (top-level ones are spliced) */
	ETM_STMT_PRINT,		/* அச்சு expr; */
	ETM_STMT_INPUT,		/* உள்ளிடு expr; */
	ETM_STMT_ROUTE,		/* வழி METHOD, path {body} */
	ETM_STMT_EVERY,		/* இடைவெளி seconds {body} */
	ETM_STMT_RESPONSE,	/* பதில் status, body[, headers]; */
	ETM_STMT_JSONBODY,	/* ஜேசான்_உரை data[, status]; */
	ETM_STMT_STARTSERVER,	/* வழங்கி_தொடங்கு host, port; */
	ETM_STMT_STOPSERVER,	/* வழங்கி_நிறுத்து; */
	ETM_STMT_FILEOPEN,	/* கோப்பு_திற file[, mode]; */
	ETM_STMT_FILECLOSE,	/* கோப்பு_மூடு file; */
	ETM_STMT_FILEWRITE,	/* கோப்பு_எழுது file, value; */
	ETM_STMT_FILEREAD,	/* கோப்பு_படி file, target; */
	ETM_STMT_READCSV,	/* தரவுரை_படி file, target; */
	ETM_STMT_WRITECSV,	/* தரவுரை_எழுது file, value; */
	ETM_STMT_DBCONNECT,	/* தளம்_இணை KIND, conn; */
	ETM_STMT_DBDISCONNECT,	/* தளம்_பிரி KIND; */
	ETM_STMT_DBQUERY,	/* தளம்_வினா sql, params, target; */
	ETM_STMT_DBEXECUTE,	/* தளம்_செய் sql, params; */
	ETM_STMT_DBINSERT,	/* தளம்_செருக table, data; */
	ETM_STMT_DBUPDATE,	/* தளம்_புதுப்பி table, data[, cond]; */
	ETM_STMT_DBDELETE,	/* தளம்_நீக்கு table, cond; */
	ETM_STMT_CREATETABLE,	/* அட்டை_ஆக்கு table, schema; */
	ETM_STMT_SELECT		/* தேர்வெடு col{, col} இதனில் table [விதி cond]; */
};

/* A token used where "any token" is accepted (route method, DB kind).
 * kw is the keyword token (ETM_KW_NONE for identifiers and non-keywords);
 * name is the reference's token name for it:
 *   - identifier: as written ("get"; the server upper-cases it);
 *   - HttpGet/Post/Put/Delete/Patch/Options/Head: "GET" "POST" "PUT"
 *     "DELETE" "PATCH" "OPTIONS" "HEAD";
 *   - SQL NoSQL SQLite MySQL PostgreSQL MongoDB Redis JSONdb: that name;
 *   - any other keyword: its English token name ("Credit");
 *   - punctuation/literals: the reference's debug name ("Comma",
 *     "Number(5)", "String(\"x\")").
 * text is the source text of the token as written. */
struct etm_any_token {
	enum etm_kw kw;
	struct etm_str name;
	struct etm_str text;
	struct etm_pos pos;
};

/* A name written after a statement keyword (file/DB targets, tables,
   columns) or a parameter. */
struct etm_name {
	struct etm_str name;
	struct etm_pos pos;
};

struct etm_stmt {
	enum etm_stmt_kind kind;
	struct etm_pos pos;	/* first token of the statement (the type word
				   of a typed declaration, the '(' of if/while) */
	union {
		struct {
			struct etm_str name;
			struct etm_pos name_pos;	/* checker errors point here */
			enum etm_decl_type decl;	/* ETM_DECL_NONE if untyped */
			enum etm_kw decl_kw;		/* the type keyword, or NONE */
			int has_init;	/* 0 for "TYPE NAME;": value is then a
					   number literal 0 (spec §4) */
			struct etm_expr *value;		/* never NULL */
		} assign;
		struct {
			struct etm_expr *call;		/* kind ETM_EXPR_CALL */
		} call;
		struct {
			struct etm_str name;
			struct etm_pos name_pos;
			struct etm_expr *index, *value;
		} store_index;
		struct {
			struct etm_str name;
			struct etm_pos name_pos;
			struct etm_str field;
			struct etm_pos field_pos;
			struct etm_expr *value;
		} store_field;
		struct {
			struct etm_expr *cond;
			struct etm_block then_block;
			int has_else;
			struct etm_block else_block;
		} if_;
		struct {
			struct etm_expr *cond;
			struct etm_block body;
		} while_;
		struct {
			struct etm_str name;
			struct etm_pos name_pos;
			struct etm_name *params;	/* repeats kept as written */
			size_t nparams;
			struct etm_block body;
		} function;
		struct {
			struct etm_expr *value;		/* NULL for a bare return */
		} return_;
		struct {
			struct etm_str var;
			struct etm_pos var_pos;
			struct etm_expr *collection;
			struct etm_block body;
		} foreach;
		struct {
			struct etm_str path;		/* the string literal's contents */
		} import;
		struct {
			struct etm_expr *value;
		} print, input;
		struct {
			struct etm_any_token method;
			struct etm_expr *path;
			struct etm_block body;
		} route;
		struct {
			struct etm_expr *seconds;
			struct etm_block body;
		} every;
		struct {
			struct etm_expr *status, *body;
			struct etm_expr *headers;	/* NULL if omitted */
		} response;
		struct {
			struct etm_expr *data;
			struct etm_expr *status;	/* NULL if omitted */
		} jsonbody;
		struct {
			struct etm_expr *host, *port;
		} startserver;
		struct {
			struct etm_expr *file;
			struct etm_expr *mode_expr;	/* NULL if omitted */
			struct etm_str mode;	/* from the parse tree, lower-cased;
						   "read" by default (spec §4) */
		} fileopen;
		struct {
			struct etm_expr *file;
		} fileclose;
		struct {
			struct etm_expr *file, *value;
		} filewrite, writecsv;
		struct {
			struct etm_expr *file;
			struct etm_name target;
		} fileread, readcsv;
		struct {
			struct etm_any_token kind;
			struct etm_expr *conn;
		} dbconnect;
		struct {
			struct etm_any_token kind;
		} dbdisconnect;
		struct {
			struct etm_expr *sql, *params;
			struct etm_name target;
		} dbquery;
		struct {
			struct etm_expr *sql, *params;
		} dbexecute;
		struct {
			struct etm_name table;
			struct etm_expr *data;
		} dbinsert;
		struct {
			struct etm_name table;
			struct etm_expr *data;
			struct etm_expr *cond;		/* NULL if omitted */
		} dbupdate;
		struct {
			struct etm_name table;
			struct etm_expr *cond;
		} dbdelete;
		struct {
			struct etm_name table;
			struct etm_expr *schema;
		} createtable;
		struct {
			struct etm_name *columns;
			size_t ncolumns;		/* >= 1 */
			struct etm_name table;
			struct etm_expr *where;		/* NULL if omitted */
		} select;
	} u;
};

/* ------------------------------------------------------------------ */
/* Programs                                                            */

struct etm_ast_program {
	struct etm_arena *arena;	/* owns everything below */
	/* Top-level statements after import splicing, in program order.
	   body.n is the reference's "(N statements)". */
	struct etm_block body;
	/* Files that contributed statements: files[0] is the main file as
	   given (NULL when loaded from a string), the others are canonical
	   paths of imported files in order of first inclusion. */
	const char **files;
	size_t nfiles;
};

/* ------------------------------------------------------------------ */
/* Diagnostics                                                         */

enum etm_diag_kind {
	ETM_DIAG_LOAD,		/* cannot open / cannot read (incl. not UTF-8) */
	ETM_DIAG_LEX,		/* one unrecognized-input stretch */
	ETM_DIAG_PARSE,		/* the (single) parse error */
	ETM_DIAG_MODULE,	/* module not found */
	ETM_DIAG_TYPE,		/* one type-checker error */
	ETM_DIAG_OTHER		/* anything else a later stage wants to add */
};

struct etm_diag_item {
	enum etm_diag_kind kind;
	/* File the error is in: NULL for the main file (or a string), else
	   the imported file's canonical path.  Owned by the etm_diag. */
	char *file;
	uint32_t line, column;	/* 0 when the error has no position */
	/* The exact bilingual message without the leading "✗ ", e.g.
	   "வரி 1, நெடுவரிசை 7: அறியப்படாத உள்ளீடு '#'  (line 1, column 7: unrecognized input '#')".
	   Owned by the etm_diag. */
	char *message;
};

struct etm_diag {
	struct etm_diag_item *items;
	size_t n, cap;
};

void etm_diag_init(struct etm_diag *d);
void etm_diag_free(struct etm_diag *d);	/* frees items; d may be reused after init */
/* Append a copy of MESSAGE (and of FILE if not NULL).  Returns 0, or -1
   when out of memory. */
int etm_diag_add(struct etm_diag *d, enum etm_diag_kind kind, const char *file,
		 uint32_t line, uint32_t column, const char *message);

/* Print D the way the reference CLI prints it on stderr: every item as
   "✗ MESSAGE\n", except that consecutive ETM_DIAG_LEX items of one file
   form one line joined by "\n  " (the reference reports all lexical errors
   of a file as one message).  No file names are printed. */
void etm_diag_print(const struct etm_diag *d, FILE *out);

/* ------------------------------------------------------------------ */
/* Loading (lex + parse + import splicing, spec §2, §4, §8, §10.3)     */

enum {
	/* Do not look next to the executable, in /usr/share/etamil or in
	   /usr/local/share/etamil (tests). */
	ETM_LOAD_NO_SYSTEM_DIRS = 1
};

struct etm_load_opts {
	/* Directories searched after the importing file's directory, in
	   order (the runner passes ETAMIL_PATH split on ':', the daemon its
	   module_path).  NULL-terminated; NULL for none.  An empty entry
	   means the working directory (like an empty ETAMIL_PATH element in
	   the reference). */
	const char *const *search_path;
	/* Directory of the interpreter executable; NULL = take it from
	   /proc/self/exe. */
	const char *exe_dir;
	unsigned flags;		/* ETM_LOAD_* */
};

/* Load the program in file PATH with its imports.  OPTS may be NULL.
   Returns NULL after adding the load/lex/parse/module error(s) to DIAGS
   (lexical errors: all of the failing file; otherwise one error).  The
   main file counts as already included. */
struct etm_ast_program *etm_load_file(const char *path, const struct etm_load_opts *opts,
				      struct etm_diag *diags);

/* Load a program held in memory (e.g. read from stdin).  SRC need not be
   NUL-terminated; a leading BOM is skipped; invalid UTF-8 is reported as
   "கோப்பு '<stdin>' படிக்க முடியவில்லை  (cannot read '<stdin>'): stream did
   not contain valid UTF-8" (the reference panics there).  Relative imports
   resolve against DIR_FOR_IMPORTS (NULL = the working directory).  The
   source itself is not counted as an included file; files[0] is NULL. */
struct etm_ast_program *etm_load_string(const char *src, size_t len, const char *dir_for_imports,
					const struct etm_load_opts *opts,
					struct etm_diag *diags);

/* Lex and parse one source text without resolving imports (top-level
   imports stay as ETM_STMT_IMPORT).  For tools and tests. */
struct etm_ast_program *etm_parse_string(const char *src, size_t len, struct etm_diag *diags);

void etm_ast_free(struct etm_ast_program *prog);

/* ------------------------------------------------------------------ */
/* Type checking (spec §5)                                             */

/* Check PROG; every error is added to DIAGS (kind ETM_DIAG_TYPE, file of
   the statement).  Returns the number of errors (0 = clean). */
int etm_check(const struct etm_ast_program *prog, struct etm_diag *diags);

/* ------------------------------------------------------------------ */
/* Helpers for the server (spec §11.1)                                 */

/* The program's top-level statements split by kind, in source order.
   The arrays point into PROG (which must outlive them); free the split
   with etm_ast_split_free. */
struct etm_ast_split {
	const struct etm_stmt **routes;		/* ETM_STMT_ROUTE */
	size_t nroutes;
	const struct etm_stmt **schedules;	/* ETM_STMT_EVERY */
	size_t nschedules;
	const struct etm_stmt **prelude;	/* everything else */
	size_t nprelude;
};

int etm_ast_split(const struct etm_ast_program *prog, struct etm_ast_split *out);	/* 0 / -1 (ENOMEM) */
void etm_ast_split_free(struct etm_ast_split *split);

/* The file name of POS ("" for the main file / a string). */
const char *etm_ast_file(const struct etm_ast_program *prog, struct etm_pos pos);

#endif
