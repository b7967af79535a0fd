from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        # allauth sends `scope=` (empty) when no scope is configured, which oauthlib reads as
        # one scope named "". Extension:OAuth takes it as no scope at all: the consumer's grants.
        if scopes == [""]:
            scopes = request.scopes = self.get_default_scopes(client_id, request)
        return super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)
