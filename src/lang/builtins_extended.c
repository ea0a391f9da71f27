/* builtins_extended.c -- the EXTENDED builtins of builtins.tsv (SQL and
 * MongoDB databases, cryptography, passwords and tokens, outbound HTTP,
 * zip packages, running programs), which this build does not provide.
 * Each spelling is still known, with its exact arity, and answers with a
 * bilingual runtime error naming the builtin, so a program fails plainly
 * instead of with "unknown function".  மொங்கோ_இணை keeps the reference's
 * own message for a build without MongoDB (spec §9).
 */
#include "autoconfig.h"

#include "builtins.h"

#define MSG_UNAVAILABLE "'%s' இந்தக் கட்டமைப்பில் கிடைக்காது  ('%s' is not available in this build: no %s support)"
#define MSG_MONGO "மொங்கோ ஆதரவு இல்லாமல் கட்டப்பட்டது  (this build has no MongoDB support): rebuild with --features mongodb"

#define UNAVAILABLE(fn, name, what)					\
	static int fn(etm_vm *vm, etm_value *a, etm_value *out)	\
	{								\
		(void)a;						\
		(void)out;						\
		return etm_vm_error(vm, MSG_UNAVAILABLE, name, name, what); \
	}

#define SQL "SQL database"
#define MONGO "MongoDB"
#define CRYPTO "cryptography"
#define AUTH "password and token"
#define HTTP "outbound HTTP"
#define ZIP "zip package"
#define RUN "external program"

UNAVAILABLE(bi_try_execute, "தளம்_செய்_முயற்சி", SQL)
UNAVAILABLE(bi_try_query, "தளம்_வினா_முயற்சி", SQL)
UNAVAILABLE(bi_mongo_command, "மொங்கோ_கட்டளை", MONGO)
UNAVAILABLE(bi_mongo_insert, "மொங்கோ_செருகு", MONGO)
UNAVAILABLE(bi_mongo_find, "மொங்கோ_கண்டுபிடி", MONGO)
UNAVAILABLE(bi_mongo_update, "மொங்கோ_புதுப்பி", MONGO)
UNAVAILABLE(bi_mongo_delete, "மொங்கோ_நீக்கு", MONGO)
UNAVAILABLE(bi_sign, "கையொப்பம்", CRYPTO)
UNAVAILABLE(bi_verify_signature, "கையொப்பம்_சரியா", CRYPTO)
UNAVAILABLE(bi_key_pair, "வளைவு_சாவிகள்", CRYPTO)
UNAVAILABLE(bi_public_key, "வளைவு_பொதுச்சாவி", CRYPTO)
UNAVAILABLE(bi_ec_sign, "வளைவு_கையொப்பம்", CRYPTO)
UNAVAILABLE(bi_ec_verify, "வளைவு_சரிபார்", CRYPTO)
UNAVAILABLE(bi_hash_password, "கடவுச்சொல்_மறை", AUTH)
UNAVAILABLE(bi_verify_password, "கடவுச்சொல்_சரியா", AUTH)
UNAVAILABLE(bi_issue_token, "சீட்டு_ஆக்கு", AUTH)
UNAVAILABLE(bi_read_token, "சீட்டு_சரிபார்", AUTH)
UNAVAILABLE(bi_token_header, "சீட்டு_தலைப்பு", AUTH)
UNAVAILABLE(bi_verify_token_rsa, "சீட்டு_பொதுச்_சரிபார்", AUTH)
UNAVAILABLE(bi_http_get, "வலை_பெறு", HTTP)
UNAVAILABLE(bi_http_post, "வலை_பதி", HTTP)
UNAVAILABLE(bi_http_request, "வலை_அனுப்பு", HTTP)
UNAVAILABLE(bi_package_read, "பொதி_படி", ZIP)
UNAVAILABLE(bi_package_write, "பொதி_மாற்று", ZIP)
UNAVAILABLE(bi_run, "கட்டளை_ஓட்டு", RUN)

static int bi_mongo_connect(etm_vm *vm, etm_value *a, etm_value *out)
{
	(void)a;
	(void)out;
	return etm_vm_error(vm, MSG_MONGO);
}

const etm_builtin_def etm_builtins_extended[] = {
	{{"தளம்_செய்_முயற்சி", "qaLam_cey_muyaRci", "_tryExecute"}, 2, 0, bi_try_execute},
	{{"தளம்_வினா_முயற்சி", "qaLam_viZA_muyaRci", "_tryQuery"}, 2, 0, bi_try_query},
	{{"மொங்கோ_இணை", "mowkO_iNY", "_mongoConnect"}, -1, 0, bi_mongo_connect},
	{{"மொங்கோ_கட்டளை", "mowkO_kattaLY", "_mongoCommand"}, 1, 0, bi_mongo_command},
	{{"மொங்கோ_செருகு", "mowkO_ceruku", "_mongoInsert"}, 2, 0, bi_mongo_insert},
	{{"மொங்கோ_கண்டுபிடி", "mowkO_kaNtupiti", "_mongoFind"}, 2, 0, bi_mongo_find},
	{{"மொங்கோ_புதுப்பி", "mowkO_puquppi", "_mongoUpdate"}, 4, 0, bi_mongo_update},
	{{"மொங்கோ_நீக்கு", "mowkO_nIkku", "_mongoDelete"}, 3, 0, bi_mongo_delete},
	{{"கையொப்பம்", "kYyoppam", "_sign"}, 2, 0, bi_sign},
	{{"கையொப்பம்_சரியா", "kYyoppam_cariyA", "_verifySignature"}, 3, 0, bi_verify_signature},
	{{"வளைவு_சாவிகள்", "vaLYvu_cAvikaL", "_keyPair"}, 0, 0, bi_key_pair},
	{{"வளைவு_பொதுச்சாவி", "vaLYvu_poquccAvi", "_publicKey"}, 1, 0, bi_public_key},
	{{"வளைவு_கையொப்பம்", "vaLYvu_kYyoppam", "_ecSign"}, 2, 0, bi_ec_sign},
	{{"வளைவு_சரிபார்", "vaLYvu_caripAr", "_ecVerify"}, 3, 0, bi_ec_verify},
	{{"கடவுச்சொல்_மறை", "kataveuccol_maRY", "_hashPassword"}, 1, 0, bi_hash_password},
	{{"கடவுச்சொல்_சரியா", "kataveuccol_cariyA", "_verifyPassword"}, 2, 0, bi_verify_password},
	{{"சீட்டு_ஆக்கு", "cIttu_Akku", "_issueToken"}, 2, 0, bi_issue_token},
	{{"சீட்டு_சரிபார்", "cIttu_caripAr", "_readToken"}, 1, 0, bi_read_token},
	{{"சீட்டு_தலைப்பு", "cIttu_qalYppu", "_tokenHeader"}, 1, 0, bi_token_header},
	{{"சீட்டு_பொதுச்_சரிபார்", "cIttu_poquc_caripAr", "_verifyTokenRSA"}, 5, 0, bi_verify_token_rsa},
	{{"வலை_பெறு", "valY_peRu", "_httpGet"}, 2, 0, bi_http_get},
	{{"வலை_பதி", "valY_paqi", "_httpPost"}, 3, 0, bi_http_post},
	{{"வலை_அனுப்பு", "valY_aZuppu", "_httpRequest"}, 4, 0, bi_http_request},
	{{"பொதி_படி", "poqi_pati", "_packageRead"}, 2, 0, bi_package_read},
	{{"பொதி_மாற்று", "poqi_mARRu", "_packageWrite"}, 3, 0, bi_package_write},
	{{"கட்டளை_ஓட்டு", "kattaLY_Ottu", "_run"}, 3, 0, bi_run},
	{{NULL}, 0, 0, NULL}
};
