// Caddy with its standard modules, as the official caddy binary and image ship it: Ensemble's
// front door for `./dev up` (built into the cache by ensemble_devtools.local_caddy).
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/modules/standard"
)

func main() {
	caddycmd.Main()
}
