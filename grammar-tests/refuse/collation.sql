-- case: two_collations
SELECT session_id FROM user_sessions WHERE user_id = 'a' COLLATE "und-u-ks-level2" ORDER BY user_id COLLATE "en-x-icu"
-- error: unsupported: two collations in one statement (COLLATE "und-u-ks-level2" and COLLATE "en-x-icu"): MongoDB applies one collation to a whole command at 1:109

-- case: libc_collation
SELECT session_id FROM user_sessions ORDER BY user_id COLLATE "en_US.utf8"
-- error: unsupported: COLLATE "en_US.utf8" (a libc collation: glibc's order is not ICU's; name an ICU collation such as "en-x-icu" or "und-u-ks-level2") at 1:63

-- case: unknown_icu_keyword
SELECT session_id FROM user_sessions ORDER BY user_id COLLATE "en-u-kr-latn"
-- error: unsupported: COLLATE "en-u-kr-latn" (ICU keyword -kr-latn has no MongoDB equivalent) at 1:63
