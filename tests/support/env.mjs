// The configuration the Worker gets locally: vars pointing at the stand-ins, and throwaway test secrets.
export const TEST_SECRETS = {
  GOOGLE_CLIENT_SECRET: "test-google-client-secret",
  SESSION_SECRET: "test-session-secret-0123456789abcdef0123456789",
  SIGNUP_HASH_SECRET: "test-signup-hash-secret-0123456789abcdef012345",
  STRIPE_SECRET_KEY: "sk_test_local_0123456789",
  STRIPE_WEBHOOK_SECRET: "whsec_test_local_0123456789",
  APIPOD_API_KEY: "test-apipod-key",
};

/** Vars that point every outbound service at the stand-ins under `fakesUrl`. */
export function localVars({ appUrl, fakesUrl }) {
  return {
    APP_URL: appUrl,
    GOOGLE_CLIENT_ID: "gptimg-local.apps.googleusercontent.com",
    GOOGLE_AUTH_URL: `${fakesUrl}/google/o/oauth2/v2/auth`,
    GOOGLE_TOKEN_URL: `${fakesUrl}/google/token`,
    GOOGLE_JWKS_URL: `${fakesUrl}/google/oauth2/v3/certs`,
    STRIPE_API_BASE: `${fakesUrl}/stripe`,
    APIPOD_BASE_URL: `${fakesUrl}/apipod`,
    ADMIN_EMAILS: "admin@gptimg.test",
    SUPPORT_EMAIL: "support@gptimg.test",
  };
}

// `node tests/support/env.mjs <appUrl> <fakesUrl>` prints `--var NAME:VALUE` arguments for `wrangler dev`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [appUrl, fakesUrl] = process.argv.slice(2);
  for (const [name, value] of Object.entries(localVars({ appUrl, fakesUrl }))) {
    console.log(`--var=${name}:${value}`);
  }
}
