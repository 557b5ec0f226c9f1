struct ResponseMismatch: Error {}
