import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';

/** The committed TypeScript of the API's contract, read by libs/client (CLI, scripts) and the web UI. */
export const API_TYPES_FILE = join(__dirname, '..', '..', 'libs', 'client', 'src', 'api-types.ts').replace(/[\\/]dist([\\/])/, '$1');

const HEADER = `/**
 * GENERATED from the API's OpenAPI document (apps/api/src/app.setup.ts buildOpenApiDocument) by
 * \`npm run gen:api-types\`; do not edit. apps/api/test/api-types.e2e-spec.ts fails when it is stale.
 */
/* eslint-disable */
`;

/** The TypeScript types of an OpenAPI document (openapi-typescript), as committed in API_TYPES_FILE. */
export async function renderApiTypes(document: object): Promise<string> {
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0], { alphabetize: true });
  return HEADER + astToString(ast);
}

// `node -r ts-node/register scripts/openapi/api-types.ts < openapi.json`: the types of a document on stdin. Jest
// runs openapi-typescript this way, as Jest cannot load the ES modules it requires.
if (require.main === module) {
  const chunks: Buffer[] = [];
  process.stdin.on('data', (c: Buffer) => chunks.push(c));
  process.stdin.on('end', () => {
    renderApiTypes(JSON.parse(Buffer.concat(chunks).toString('utf8')) as object).then(
      (ts) => process.stdout.write(ts),
      (e: Error) => {
        process.stderr.write(`${e.stack ?? e}\n`);
        process.exit(1);
      },
    );
  });
}
