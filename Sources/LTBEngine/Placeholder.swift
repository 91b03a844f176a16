import Crypto
enum EnginePlaceholder {}
