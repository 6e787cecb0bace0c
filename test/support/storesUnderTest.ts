import { startMongoJavaServer } from './disposableMongo';
import { mongoUri } from './service';

/** A store a test runs on: its URI, and how to stop it (nothing, for the suite's own). */
export type StoreUnderTest = { uri: string; stop(): Promise<void> };

/** The stores FAS runs and is measured on, for tests that must hold on each: the suite's, and mongo-java-server. */
export const storesUnderTest: [string, () => Promise<StoreUnderTest>][] = [
  ['the suite’s store', async () => ({ uri: mongoUri(), stop: async () => {} })],
  ['mongo-java-server', startMongoJavaServer],
];
