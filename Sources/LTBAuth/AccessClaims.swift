import Foundation
import JWTKit

/// The claims of an access token: subject (user id), role, username, issuer, audience, and the
/// three times. `exp` and `nbf` are checked by `verify`; issuer and audience by ``TokenIssuer``.
struct AccessClaims: JWTPayload {
  var sub: SubjectClaim
  var iss: IssuerClaim
  var aud: AudienceClaim
  var exp: ExpirationClaim
  var nbf: NotBeforeClaim
  var iat: IssuedAtClaim
  var role: String
  var name: String

  func verify(using algorithm: some JWTAlgorithm) async throws {
    try exp.verifyNotExpired()
    try nbf.verifyNotBefore()
  }
}
