// A zip archive of one file, the shape Lambda takes its code in (CreateFunction Code.ZipFile). Written
// here rather than pulled in as a package: one deflated entry needs a local header, the data and a
// central directory (PKWARE APPNOTE 6.3.10, sections 4.3.7, 4.3.12 and 4.3.16).
import { crc32, deflateRawSync } from 'node:zlib'

const DEFLATE = 8
/** 2.0: the version that introduced deflate */
const VERSION = 20
/** 1980-01-01 00:00, the earliest DOS time: the archive is the same for the same content */
const DOS_DATE = (0 << 9) | (1 << 5) | 1

export function zipOneFile(name: string, content: string | Buffer): Buffer {
  const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8')
  const packed = deflateRawSync(data)
  const fileName = Buffer.from(name, 'utf8')
  const crc = crc32(data)

  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(VERSION, 4)
  local.writeUInt16LE(0, 6)
  local.writeUInt16LE(DEFLATE, 8)
  local.writeUInt16LE(0, 10)
  local.writeUInt16LE(DOS_DATE, 12)
  local.writeUInt32LE(crc, 14)
  local.writeUInt32LE(packed.length, 18)
  local.writeUInt32LE(data.length, 22)
  local.writeUInt16LE(fileName.length, 26)
  local.writeUInt16LE(0, 28)

  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  // Made by Unix (3), so the mode in the external attributes is read: a regular file, rw-r--r--.
  central.writeUInt16LE((3 << 8) | VERSION, 4)
  central.writeUInt16LE(VERSION, 6)
  central.writeUInt16LE(0, 8)
  central.writeUInt16LE(DEFLATE, 10)
  central.writeUInt16LE(0, 12)
  central.writeUInt16LE(DOS_DATE, 14)
  central.writeUInt32LE(crc, 16)
  central.writeUInt32LE(packed.length, 20)
  central.writeUInt32LE(data.length, 24)
  central.writeUInt16LE(fileName.length, 28)
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38)
  central.writeUInt32LE(0, 42)

  const centralOffset = local.length + fileName.length + packed.length
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(central.length + fileName.length, 12)
  end.writeUInt32LE(centralOffset, 16)
  return Buffer.concat([local, fileName, packed, central, fileName, end])
}
