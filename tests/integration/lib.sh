# SPDX-License-Identifier: MIT
# Integration tests source this: the service helpers of scripts/services.sh.
REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/scripts/services.sh"
