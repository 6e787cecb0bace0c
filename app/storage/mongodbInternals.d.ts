// The pieces of the MongoDB driver's internals that app/storage/updateCommand.ts uses: what
// Collection.bulkWrite does with each batch. The driver is pinned to an exact version in package.json;
// test/integration/updateCommand.test.ts fails if these change shape.
declare module 'mongodb/lib/operations/update' {
  import { Document, MongoDBNamespace } from 'mongodb';
  export class UpdateOperation {
    constructor(ns: MongoDBNamespace, statements: Document[], options: Document);
    readonly canRetryWrite: boolean;
    hasAspect(aspect: symbol): boolean;
  }
}

declare module 'mongodb/lib/operations/operation' {
  export const Aspect: { readonly RETRYABLE: symbol; readonly WRITE_OPERATION: symbol };
}

declare module 'mongodb/lib/operations/execute_operation' {
  import { Document, MongoClient } from 'mongodb';
  export function executeOperation(client: MongoClient, operation: unknown): Promise<Document>;
}

declare module 'mongodb/lib/utils' {
  import { Document, MongoDBNamespace } from 'mongodb';
  export function resolveOptions(parent: object, options: Document): Document;
  export const MongoDBCollectionNamespace: { fromString(namespace: string): MongoDBNamespace };
}
