// libargon2 from Debian's libargon2-dev: argon2id hashing and constant-time verification.
#include <argon2.h>
