// inflation ships no types: the one call FAS makes. Decompresses a request by its Content-Encoding (gzip,
// deflate, br, identity); an unknown one throws an error with status 415.
declare module 'inflation' {
  import { IncomingMessage } from 'node:http';
  import { Readable } from 'node:stream';

  export default function inflate(request: IncomingMessage): Readable;
}
