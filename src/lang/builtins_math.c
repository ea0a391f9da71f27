/* builtins_math.c -- rounding builtins (builtins.tsv, area math; spec §9):
 * வட்டமிடு (half away from zero), தரை, மேல்.  The arithmetic itself is the
 * decimal module's (etm_dec_round/floor/ceil); arguments go through
 * to_number (§6.4).
 */
#include "autoconfig.h"

#include "builtins.h"

#define MSG_PLACES "வட்டமிடு: இடங்கள் ஒரு முழு எண்  (round: places must be a whole number)"
#define MSG_OVERFLOW "எண் வரம்பு மீறல்  (number overflow)"

static int bi_round(etm_vm *vm, etm_value *a, etm_value *out)
{
	int places;
	if (etm_dec_to_places(etm_to_dec(a[1]), &places) != ETM_DEC_OK)
		return etm_vm_error(vm, MSG_PLACES);
	etm_dec r;
	int st = etm_dec_round(etm_to_dec(a[0]), places, &r);
	if (st == ETM_DEC_INVALID)
		return etm_vm_error(vm, MSG_PLACES);
	if (st != ETM_DEC_OK)
		return etm_vm_error(vm, MSG_OVERFLOW);
	*out = etm_num(r);
	return ETM_BI_OK;
}

static int bi_floor(etm_vm *vm, etm_value *a, etm_value *out)
{
	(void)vm;
	*out = etm_num(etm_dec_floor(etm_to_dec(a[0])));
	return ETM_BI_OK;
}

static int bi_ceil(etm_vm *vm, etm_value *a, etm_value *out)
{
	(void)vm;
	*out = etm_num(etm_dec_ceil(etm_to_dec(a[0])));
	return ETM_BI_OK;
}

const etm_builtin_def etm_builtins_math[] = {
	{{"வட்டமிடு", "vattamitu", "_round"}, 2, ETM_BI_PURE, bi_round},
	{{"தரை", "qarY", "_floor"}, 1, ETM_BI_PURE, bi_floor},
	{{"மேல்", "mEl", "_ceil"}, 1, ETM_BI_PURE, bi_ceil},
	{{NULL}, 0, 0, NULL}
};
