/* compile.h -- the compiled form of an eTamil program, shared by the
 * compiler (compile.c) and the VM (vm.c).  Private to src/lang/.
 *
 * Code is an array of 32-bit words: an instruction word holds the opcode in
 * its low 8 bits and an operand A in the upper 24; some instructions are
 * followed by operand words.  Variables are resolved to slots at compile
 * time: globals index the VM's globals array, locals index the current
 * frame.  Calls go through a per-entry-point table (a function defined in a
 * route body exists only for that route, spec §11.1), indexed by a call-name
 * number, so no name is looked up while the program runs.
 */
#ifndef ETM_COMPILE_H
#define ETM_COMPILE_H

#include "builtins.h"
#include "etamil.h"

enum etm_op {
	OP_HALT,
	OP_CONST,	/* A = constant */
	OP_NIL,
	OP_TRUE,
	OP_FALSE,
	OP_LOADG,	/* A = global */
	OP_LOADL,	/* A = local (always set) */
	OP_LOADLG,	/* A = local; +1 word global: the local, else the global */
	OP_MOVEG,	/* A = global: push the value, leaving the slot unset */
	OP_MOVELG,	/* A = local; +1 global: move the local, else copy global */
	OP_STOREG,	/* A = global */
	OP_STOREL,	/* A = local */
	OP_POP,
	OP_ADD,
	OP_SUB,
	OP_MUL,
	OP_DIV,
	OP_NEG,
	OP_CONCAT,
	OP_ADDK,	/* A = constant number: top + k */
	OP_SUBK,
	OP_MULK,
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_NOT,
	OP_TOBOOL,
	OP_JMP,		/* A = target (forward) */
	OP_LOOP,	/* A = target (backward: checks cancel/deadline/heap) */
	OP_JF,		/* A = target: pop, jump when falsy */
	OP_ANDJ,	/* A = target: pop; falsy -> push false and jump */
	OP_ORJ,		/* A = target: pop; truthy -> push true and jump */
	OP_CALL,	/* A = call name; +1 word argc */
	OP_RET,
	OP_RETNIL,
	OP_ARRAY,	/* A = count */
	OP_RECORD,	/* A = count; +count words: key constants */
	OP_INDEX,
	OP_FIELD,	/* A = key constant */
	OP_SETIDXG,	/* A = global */
	OP_SETIDXL,	/* A = local; +1 global */
	OP_SETFLDG,	/* A = global; +1 key constant */
	OP_SETFLDL,	/* A = local; +1 global; +1 key constant */
	OP_TRY,
	OP_ITERPREP,	/* A = slot of items (bit 23: local); +1 index slot */
	OP_ITERNEXT,	/* A = items slot (bit 23: local); +1 index slot; +1 exit */
	OP_PRINT,
	OP_INPUT,	/* push the line read */
	OP_RESPOND,	/* status, body, headers -> response globals */
	OP_FOPEN,	/* A = mode constant */
	OP_FCLOSE,
	OP_FWRITE,
	OP_FREAD,
	OP_CSVREAD,
	OP_ERROR,	/* A = message constant: raise it */
	OP_TOPLEVEL,	/* A = label constant: top-level route/schedule */
	OP__COUNT
};

#define ETM_SLOT_LOCAL 0x800000u

typedef struct etm_func {
	char *name;
	uint32_t entry;		/* pc */
	uint32_t nparams;
	uint32_t nlocals;	/* params + other locals + hidden */
	uint32_t maxstack;	/* operand stack the body may need */
} etm_func;

/* One entry point: main program, prelude, a route or a schedule body. */
typedef struct etm_entry {
	uint32_t pc;
	uint32_t maxstack;
	int32_t *fmap;		/* call name -> function index, -1 = none */
} etm_entry;

typedef struct etm_callname {
	char *name;
	const etm_builtin_def *builtin;	/* when no user function has it */
} etm_callname;

typedef struct etm_posent {
	uint32_t pc, line, column, file;
} etm_posent;

struct etm_program {
	etm_heap heap;		/* constants */
	etm_value *consts;
	size_t nconsts, capconsts;
	uint32_t *code;
	size_t ncode, capcode;
	etm_func *funcs;
	size_t nfuncs;
	etm_callname *calls;
	size_t ncalls;
	char **gnames;		/* global slot names ("" for hidden slots) */
	size_t nglobals, capglobals;
	uint32_t *gindex;	/* hash of global names: slot + 1 */
	uint32_t gindex_mask;
	etm_posent *pos;
	size_t npos, cappos;
	char **files;
	size_t nfiles;
	etm_entry main, prelude;
	etm_entry *routes, *schedules;
	etm_route_info *route_info;
	size_t nroutes;
	etm_schedule_info *schedule_info;
	size_t nschedules;
	bool prelude_pure;
	uint32_t g_status, g_body, g_headers, g_file;	/* response globals */
};

/* Global slot of NAME, or -1. */
long etm_program_global(const etm_program *p, const char *name, size_t len);
/* Source position of the instruction at PC. */
const etm_posent *etm_program_pos(const etm_program *p, uint32_t pc);

#endif
