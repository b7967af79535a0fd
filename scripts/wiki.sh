#!/usr/bin/env bash
# `make wiki`: a real MediaWiki 1.39 from Debian's packages on http://127.0.0.1:8080, for
# development and the `wiki` tests (docs/wiki.md), and beside it on :8081 the stand-in for
# Extension:OAuth's OAuth 2 server (wikioauth/). Idempotent: installs what is missing, starts
# what is down, creates the fixtures once, and prints the URLs and passwords.
#
#   scripts/wiki.sh          install (when missing), start, create fixtures, print
#   scripts/wiki.sh stop     stop both servers
#
# Everything it writes lives in .wiki/ (git-ignored): the SQLite databases, LocalSettings.php,
# the servers' pids and logs, and credentials.env (the passwords, for the tests and `make run`).
# The OAuth server runs on the project's .venv (`make wiki` makes it first).
set -euo pipefail
cd "$(dirname "$0")/.."

WIKI_DIR="$PWD/.wiki"
MW=/usr/share/mediawiki
HOST=127.0.0.1
PORT="${WIKI_PORT:-8080}"
URL="http://$HOST:$PORT"
# CI's wiki on 8180 gets its OAuth server on 8181.
OAUTH_PORT="${WIKI_OAUTH_PORT:-$((PORT + 1))}"
OAUTH_URL="http://$HOST:$OAUTH_PORT"
PYTHON="$PWD/.venv/bin/python"
ADMIN=Admin
ADMIN_PASSWORD="${WIKI_ADMIN_PASSWORD:-admin-password-123}"
export MW_CONFIG_FILE="$WIKI_DIR/LocalSettings.php"

say() { printf '%s\n' "$*"; }

install_packages() {
  [ -d "$MW" ] && command -v php-cgi >/dev/null && return
  say "Installing MediaWiki and PHP from Debian's packages…"
  export DEBIAN_FRONTEND=noninteractive
  # mediawiki depends on a web server; PHP's own server is all we use. A local package that
  # provides "httpd" keeps apache2 (and its service) out (../shared/MEDIAWIKI.md).
  local fake
  fake=$(mktemp -d)
  mkdir -p "$fake/pkg/DEBIAN"
  cat >"$fake/pkg/DEBIAN/control" <<CONTROL
Package: livechat-no-httpd
Version: 1.0
Architecture: all
Provides: httpd
Maintainer: livechat
Description: stands in for a web server: MediaWiki is served by PHP's built-in server
CONTROL
  dpkg-deb --build "$fake/pkg" "$fake/livechat-no-httpd.deb" >/dev/null
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$fake/livechat-no-httpd.deb" php8.2-cgi \
    mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml >/dev/null
  rm -rf "$fake"
}

install_wiki() {
  [ -f "$WIKI_DIR/LocalSettings.php" ] && return
  say "Installing the wiki into $WIKI_DIR…"
  rm -rf "$WIKI_DIR"
  mkdir -p "$WIKI_DIR/data" "$WIKI_DIR/cache" "$WIKI_DIR/images"
  (cd "$MW" && php maintenance/install.php --dbtype sqlite --dbpath "$WIKI_DIR/data" \
    --dbname testwiki --server "$URL" --scriptpath "" --lang en --pass "$ADMIN_PASSWORD" \
    --confpath "$WIKI_DIR" TestWiki "$ADMIN" >/dev/null)
  cat >>"$WIKI_DIR/LocalSettings.php" <<PHP

# --- livechat (scripts/wiki.sh) ---
\$wgCacheDirectory = "$WIKI_DIR/cache";
\$wgUploadDirectory = "$WIKI_DIR/images";
\$wgEnableUploads = false;
PHP
}

# AbuseFilter (bundled with Debian's MediaWiki): the differential tests of the chat's filter
# language (tests/moderation/test_af_differential.py) evaluate expressions with its API
# (abusefilterevalexpression, abusefilterchecksyntax: they need abusefilter-modify, which no core
# bot-password grant has, hence the "abusefilter" grant), and "Import from the wiki" lists its
# public filters. Each line is added when missing, so wikis installed before this get it too.
AF_SETTINGS=(
  "wfLoadExtension( 'AbuseFilter' );"
  "\$wgGrantPermissions['abusefilter']['abusefilter-modify'] = true;"
  "\$wgGrantPermissions['abusefilter']['abusefilter-view'] = true;"
  "\$wgGrantPermissions['abusefilter']['abusefilter-log-detail'] = true;"
)

ensure_abusefilter() {
  local settings="$WIKI_DIR/LocalSettings.php" line update=""
  for line in "${AF_SETTINGS[@]}"; do
    grep -qxF "$line" "$settings" && continue
    printf '%s\n' "$line" >>"$settings"
    case "$line" in wfLoadExtension*) update=1 ;; esac
  done
  # Its tables (2 s); a running server picks the new settings up on its next request.
  [ -z "$update" ] || (cd "$MW" && php maintenance/update.php --quick >/dev/null)
}

running() { curl -fsS -o /dev/null "$URL/api.php?action=query&meta=siteinfo&format=json" 2>/dev/null; }

start_server() {
  if running; then
    # Ours (this folder's pid file) is fine; another wiki on the port is not: this folder's
    # fixtures and passwords would not be the ones it serves.
    if [ -f "$WIKI_DIR/server.pid" ] && kill -0 "$(cat "$WIKI_DIR/server.pid")" 2>/dev/null; then
      return
    fi
    say "Something else answers on $URL; stop it or choose another WIKI_PORT." >&2
    exit 1
  fi
  say "Starting the wiki on $URL…"
  # Its own process group (setsid): stopping it must take PHP's workers too.
  PHP_CLI_SERVER_WORKERS=4 setsid php -S "$HOST:$PORT" -t "$MW" \
    "$MW/maintenance/dev/includes/router.php" >"$WIKI_DIR/server.log" 2>&1 &
  echo $! >"$WIKI_DIR/server.pid"
  for _ in $(seq 1 50); do running && return; sleep 0.2; done
  say "The wiki did not start; see $WIKI_DIR/server.log" >&2
  exit 1
}

stop_server() {
  if [ -f "$WIKI_DIR/server.pid" ]; then
    kill -TERM -- "-$(cat "$WIKI_DIR/server.pid")" 2>/dev/null || true
    rm -f "$WIKI_DIR/server.pid"
  fi
}

oauth_running() { curl -fsS -o /dev/null "$OAUTH_URL/login" 2>/dev/null; }

start_oauth() {
  if [ ! -x "$PYTHON" ]; then
    say "No $PYTHON for the OAuth server: run \`make wiki\` (it makes the venv first)." >&2
    exit 1
  fi
  export WIKIOAUTH_WIKI_API="$URL/api.php" WIKIOAUTH_DIR="$WIKI_DIR"
  # Its database, the chat's client and the LIVECHAT_WIKI_OAUTH_* lines of credentials.env.
  "$PYTHON" -m wikioauth wikioauth_setup --rest-url "$OAUTH_URL/rest.php" \
    --credentials "$WIKI_DIR/credentials.env" >/dev/null
  if oauth_running; then
    if [ -f "$WIKI_DIR/oauth.pid" ] && kill -0 "$(cat "$WIKI_DIR/oauth.pid")" 2>/dev/null; then
      return
    fi
    say "Something else answers on $OAUTH_URL; stop it or choose another WIKI_OAUTH_PORT." >&2
    exit 1
  fi
  say "Starting the OAuth server on $OAUTH_URL…"
  setsid "$PYTHON" -m wikioauth runserver --noreload "$HOST:$OAUTH_PORT" \
    >"$WIKI_DIR/oauth.log" 2>&1 &
  echo $! >"$WIKI_DIR/oauth.pid"
  for _ in $(seq 1 50); do oauth_running && return; sleep 0.2; done
  say "The OAuth server did not start; see $WIKI_DIR/oauth.log" >&2
  exit 1
}

stop_oauth() {
  if [ -f "$WIKI_DIR/oauth.pid" ]; then
    kill -TERM -- "-$(cat "$WIKI_DIR/oauth.pid")" 2>/dev/null || true
    rm -f "$WIKI_DIR/oauth.pid"
  fi
}

php_script() { (cd "$MW" && php "maintenance/$1" "${@:2}"); }

user_exists() {
  curl -fsS "$URL/api.php?action=query&list=users&ususers=${1// /_}&format=json&formatversion=2" |
    grep -q '"userid"'
}

user_id() {
  curl -fsS "$URL/api.php?action=query&list=users&ususers=${1// /_}&format=json&formatversion=2" |
    sed -n 's/.*"userid":\([0-9]*\).*/\1/p'
}

create_fixtures() {
  [ -f "$WIKI_DIR/credentials.env" ] && return
  say "Creating the demo accounts and pages…"
  local newcomer_pw mentor_pw sysop_pw bot_pw
  newcomer_pw=newcomer-password-1
  mentor_pw=mentor-password-1
  sysop_pw=sysop-password-12
  user_exists Newcomer || php_script createAndPromote.php Newcomer "$newcomer_pw" >/dev/null
  user_exists Mentor || php_script createAndPromote.php Mentor "$mentor_pw" >/dev/null
  user_exists Sysop || php_script createAndPromote.php --sysop Sysop "$sysop_pw" >/dev/null
  user_exists "Help desk bot" ||
    php_script createAndPromote.php --bot "Help desk bot" "bot-main-password-1" >/dev/null
  # A bot password must match [0-9a-w]{32,}, or MediaWiki takes it for a main password.
  bot_pw=$(python3 -c "import secrets; print(''.join(secrets.choice('0123456789abcdefghijklmnopqrstuvw') for _ in range(32)))")
  php_script createBotPassword.php --appid chat \
    --grants basic,editpage,createeditmovepage,highvolume "Help desk bot" "$bot_pw" >/dev/null
  printf 'Chat questions go here when nobody could answer them in the live chat.\n' |
    php_script edit.php --user "$ADMIN" --summary "livechat fixtures" "Project:Help desk" >/dev/null
  local mentor_id
  mentor_id=$(user_id Mentor)
  cat <<JSON | php_script edit.php --user "$ADMIN" --summary "livechat fixtures" \
    "MediaWiki:GrowthMentors.json" >/dev/null
{"Mentors": {"$mentor_id": {"username": "Mentor", "message": "Ask me anything about editing.",
 "weight": 2, "automaticallyAssigned": true}}}
JSON
  cat >"$WIKI_DIR/credentials.env" <<ENV
LIVECHAT_WIKI_API=$URL/api.php
LIVECHAT_WIKI_BOT_USER=Help desk bot@chat
LIVECHAT_WIKI_BOT_PASSWORD=$bot_pw
WIKI_ADMIN_PASSWORD=$ADMIN_PASSWORD
WIKI_NEWCOMER_PASSWORD=$newcomer_pw
WIKI_MENTOR_PASSWORD=$mentor_pw
WIKI_SYSOP_PASSWORD=$sysop_pw
ENV
}

# The sysop's bot password with the "abusefilter" grant, for the differential tests' client
# (tests/moderation/abusefilter_oracle.py): WIKI_AF_BOT_USER / WIKI_AF_BOT_PASSWORD in
# credentials.env (test tooling only: the chat reads LIVECHAT_* names, never these).
create_af_bot_password() {
  grep -q '^WIKI_AF_BOT_PASSWORD=' "$WIKI_DIR/credentials.env" && return
  local af_pw
  af_pw=$(python3 -c "import secrets; print(''.join(secrets.choice('0123456789abcdefghijklmnopqrstuvw') for _ in range(32)))")
  php_script createBotPassword.php --appid abusefilter --grants basic,abusefilter \
    Sysop "$af_pw" >/dev/null
  printf 'WIKI_AF_BOT_USER=Sysop@abusefilter\nWIKI_AF_BOT_PASSWORD=%s\n' "$af_pw" \
    >>"$WIKI_DIR/credentials.env"
}

# Public abuse filters for "Import from the wiki" to list and import (list=abusefilters shows
# their patterns to anyone). Enabled, with no action but AbuseFilter's log, and matching only
# spam words no fixture or test writes, so they never stop an edit. 1.39 has no API to save a
# filter: the Special:AbuseFilter/new form, as Admin (main password). Each is created once,
# found again by its description:
#   "Confusable spam words": ccnorm on new_wikitext (folds "Ｖ1agra" to "VIAGRA") and
#     ccnorm_contains_any;
#   "Spam phrases in added lines": added_lines irlike a phrase, skipping sysops (user_groups);
#   "Many links at once": two lines, a comment, an assignment and rcount, on added_lines.
create_af_filters() {
  "$PYTHON" - "$URL" "$ADMIN" "$ADMIN_PASSWORD" <<'PY'
import html
import re
import sys

import requests

url, user, password = sys.argv[1:]
api = f"{url}/api.php"
FILTERS = {
    "Confusable spam words": (
        'ccnorm(new_wikitext) contains "VIAGRA" |\n'
        'ccnorm_contains_any(new_wikitext, "CASINO BONUS", "LOTTERY WINNER")'
    ),
    "Spam phrases in added lines": (
        'added_lines irlike "\\b(buy|cheap)\\s+(pills|followers)\\b" &\n'
        '!("sysop" in user_groups)'
    ),
    "Many links at once": (
        "/* More than 20 links added in one edit */\n"
        'links := rcount("https?://", added_lines);\n'
        "links > 20 & !(user_groups contains \"bot\")"
    ),
}
session = requests.Session()
listed = session.get(api, params={"action": "query", "list": "abusefilters",
                                  "abfprop": "description", "abflimit": "max",
                                  "format": "json", "formatversion": "2"}).json()
existing = {row["description"] for row in listed["query"]["abusefilters"]}
missing = {name: rules for name, rules in FILTERS.items() if name not in existing}
if not missing:
    sys.exit(0)
token = session.get(api, params={"action": "query", "meta": "tokens", "type": "login",
                                 "format": "json"}).json()["query"]["tokens"]["logintoken"]
login = session.post(api, data={"action": "clientlogin", "username": user, "password": password,
                                "logintoken": token, "loginreturnurl": url, "format": "json"})
assert login.json()["clientlogin"]["status"] == "PASS", login.text
form = f"{url}/index.php?title=Special:AbuseFilter/new"
for name, rules in missing.items():
    # The form's token is salted with the filter ("new"): the API's csrf token does not do.
    page = session.get(form).text
    edit_token = html.unescape(re.search(r'value="([^"]*)" name="wpEditToken"', page)[1])
    saved = session.post(form, data={
        "wpEditToken": edit_token, "wpFilterDescription": name, "wpFilterRules": rules,
        "wpFilterNotes": "livechat fixture (scripts/wiki.sh), for Import from the wiki",
        "wpFilterEnabled": "1",
    })
    saved.raise_for_status()
listed = session.get(api, params={"action": "query", "list": "abusefilters",
                                  "abfprop": "description", "abflimit": "max",
                                  "format": "json", "formatversion": "2"}).json()
absent = set(missing) - {row["description"] for row in listed["query"]["abusefilters"]}
if absent:
    sys.exit(f"AbuseFilter did not save the filters {sorted(absent)}")
PY
}

case "${1:-start}" in
  stop)
    stop_oauth
    stop_server
    exit 0
    ;;
  start) ;;
  *)
    say "usage: $0 [start|stop]" >&2
    exit 2
    ;;
esac

install_packages
install_wiki
ensure_abusefilter
start_server
create_fixtures
create_af_bot_password
create_af_filters
start_oauth
say "The wiki: $URL/index.php (api: $URL/api.php)"
say "Its OAuth 2 server (the stand-in for Extension:OAuth): $OAUTH_URL/rest.php/oauth2/authorize"
say "Accounts (name / password): Admin / $ADMIN_PASSWORD; the others and the chat's bot"
say "password are in $WIKI_DIR/credentials.env:"
sed 's/^/  /' "$WIKI_DIR/credentials.env"
