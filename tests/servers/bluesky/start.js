// Starts a PLC directory (in memory) and the reference Bluesky PDS on 127.0.0.1, for tests only.
//   node start.js <data-dir>
// Environment: PDS_JWT_SECRET, PDS_ADMIN_PASSWORD (required); PDS_RATE_LIMITS_ENABLED (optional).
// Prints one JSON line on stdout once both answer: {"pds": "http://localhost:<port>", "plc": "...",
// "pdsPort": n, "plcPort": n}. Stops cleanly on SIGTERM/SIGINT.
'use strict'
const net = require('node:net')
const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')

// Both servers call app.listen(port) without a host, i.e. on every interface: keep them on loopback.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) {
    args.splice(1, 0, '127.0.0.1')
  }
  return listen.apply(this, args)
}

function freePort () {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    listen.call(server, 0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

async function main () {
  const dataDir = path.resolve(process.argv[2] || fs.mkdtempSync('/tmp/chorus-pds-'))
  fs.mkdirSync(path.join(dataDir, 'blobs'), { recursive: true })
  for (const name of ['PDS_JWT_SECRET', 'PDS_ADMIN_PASSWORD']) {
    if (!process.env[name]) throw new Error(`${name} is not set`)
  }

  const { PlcServer, Database: PlcDatabase } = require('@did-plc/server')
  const plcPort = await freePort()
  const plc = PlcServer.create({ db: PlcDatabase.mock(), port: plcPort })
  await plc.start()

  const pdsPort = await freePort()
  Object.assign(process.env, {
    PDS_HOSTNAME: 'localhost', // dev mode: public URL http://localhost:<port>, handles *.test
    PDS_PORT: String(pdsPort),
    PDS_DEV_MODE: 'true',
    PDS_INVITE_REQUIRED: 'false',
    PDS_DATA_DIRECTORY: dataDir,
    PDS_BLOBSTORE_DISK_LOCATION: path.join(dataDir, 'blobs'),
    PDS_DID_PLC_URL: `http://127.0.0.1:${plcPort}`,
    PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: crypto.randomBytes(32).toString('hex'),
    PDS_CRAWLERS: '',
  })
  const pdsLib = require('@atproto/pds')
  const env = pdsLib.readEnv()
  const pds = await pdsLib.PDS.create(pdsLib.envToCfg(env), pdsLib.envToSecrets(env))
  await pds.start()

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    try { await pds.destroy() } catch (e) {}
    try { await plc.destroy() } catch (e) {}
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  // The test runner owns this process: when it goes away (stdin closes), stop too.
  process.stdin.on('end', stop)
  process.stdin.resume()

  process.stdout.write(JSON.stringify({
    pds: `http://localhost:${pdsPort}`,
    plc: `http://127.0.0.1:${plcPort}`,
    pdsPort,
    plcPort,
  }) + '\n')
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err)
  process.exit(1)
})
