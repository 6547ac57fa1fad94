# awsmock.sh — start tests/aws/awsmock.py for an end-to-end test and give
# the test a clean AWS environment (sourced after tests/e2e/lib.sh).
#
#   awsmock_start WORLD.json   starts the server (stopped on exit), sets EP
#                              to its URL; HOME, the AWS variables and the
#                              shared files are the test's own: no real AWS
#                              configuration leaks in, no instance metadata
#                              lookup, short retries (AWS_MAX_ATTEMPTS=3)
#   with_keys CMD...           runs CMD with the world's static test keys
#   sigfails                   how many requests the server found badly signed
KEY=AKIAMAMORITEST00001
SECRET=mamoriTestSecretKey0000000000000000000001

awsmock_start() {
  python3 "$SRC/tests/aws/awsmock.py" --world "$1" --port-file "$T/port" 2>"$T/server.log" &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT
  for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
  [ -s "$T/port" ] || fail "awsmock did not start: $(cat "$T/server.log")"
  PORT=$(cat "$T/port")
  EP="http://127.0.0.1:$PORT"
  mkdir -p "$T/home/.aws"
  export HOME="$T/home" AWS_CONFIG_FILE="$T/home/.aws/config" AWS_SHARED_CREDENTIALS_FILE="$T/home/.aws/credentials"
  unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN \
        AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
        AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_ENDPOINT_URL AWS_DEFAULT_REGION HTTPS_PROXY HTTP_PROXY \
        https_proxy http_proxy
  export AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1 AWS_MAX_ATTEMPTS=3
}

with_keys() { AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET "$@"; }
sigfails() { grep -c "signature mismatch" "$T/server.log" || true; }
