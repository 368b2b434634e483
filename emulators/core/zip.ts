// Reads a zip archive as a cloud that takes code in one does: the central directory names the entries,
// each is stored or deflated, and a CRC mismatch is a corrupt upload. Enough for Lambda's Code.ZipFile.
import { crc32, inflateRawSync } from 'node:zlib'

export class ZipError extends Error {}

export function unzip(archive: Buffer): Map<string, Buffer> {
  const endAt = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (endAt < 0) throw new ZipError('not a zip archive: no end of central directory record')
  const count = archive.readUInt16LE(endAt + 10)
  let at = archive.readUInt32LE(endAt + 16)
  const files = new Map<string, Buffer>()
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(at) !== 0x02014b50) throw new ZipError('corrupt central directory')
    const method = archive.readUInt16LE(at + 10)
    const crc = archive.readUInt32LE(at + 16)
    const packedSize = archive.readUInt32LE(at + 20)
    const nameLength = archive.readUInt16LE(at + 28)
    const extraLength = archive.readUInt16LE(at + 30)
    const commentLength = archive.readUInt16LE(at + 32)
    const localAt = archive.readUInt32LE(at + 42)
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8')
    at += 46 + nameLength + extraLength + commentLength
    if (archive.readUInt32LE(localAt) !== 0x04034b50) throw new ZipError(`corrupt local header of ${name}`)
    const dataAt = localAt + 30 + archive.readUInt16LE(localAt + 26) + archive.readUInt16LE(localAt + 28)
    const packed = archive.subarray(dataAt, dataAt + packedSize)
    const data = method === 0 ? Buffer.from(packed) : method === 8 ? inflate(name, packed) : undefined
    if (!data) throw new ZipError(`${name}: compression method ${method} is not supported`)
    if (crc32(data) !== crc) throw new ZipError(`${name}: CRC mismatch`)
    if (!name.endsWith('/')) files.set(name, data)
  }
  return files
}

function inflate(name: string, packed: Buffer): Buffer {
  try {
    return inflateRawSync(packed)
  } catch (error) {
    throw new ZipError(`${name}: ${(error as Error).message}`)
  }
}
