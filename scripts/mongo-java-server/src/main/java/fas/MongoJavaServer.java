package fas;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

/**
 * mongo-java-server's in-memory backend on HOST:PORT (java -jar … HOST PORT), for measuring FAS at a real key
 * space. It is no judge of correctness: no sessions (so no retryable writes), no write concern.
 */
public final class MongoJavaServer {
    /** What MongoDB 3.6 and later advertise; the backend's own 1,000 makes the driver split every flush. */
    static final int MAX_WRITE_BATCH_SIZE = 100_000;

    /** The memory backend with MongoDB's write batch limit in its handshake reply. */
    static final class WideBatchBackend extends MemoryBackend {
        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            Document reply = super.handleCommand(channel, database, command, query);
            if (command.equalsIgnoreCase("ismaster") || command.equalsIgnoreCase("hello")) {
                reply.put("maxWriteBatchSize", MAX_WRITE_BATCH_SIZE);
            }
            return reply;
        }
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: java -jar fas-mongo-java-server.jar HOST PORT");
            System.exit(2);
        }
        MongoServer server = new MongoServer(new WideBatchBackend());
        server.bind(args[0], Integer.parseInt(args[1]));
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    }
}
