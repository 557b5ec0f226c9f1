/// Why a credential was refused; every case is a 401.
struct AuthenticationFailure: Error, Equatable {
    let detail: String
}
