"""Identity providers: OpenID Connect sign-in (Google), the only package that imports authlib."""
