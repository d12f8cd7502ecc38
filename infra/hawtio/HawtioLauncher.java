import io.hawt.embedded.Main;

/**
 * Starts Hawtio on http://localhost:PORT/hawtio with the war fetched by infra/hawtio/pom.xml.
 * Run by `bin/homeconsole hawtio`; single-file Java, no build needed. The embedded Main ignores its
 * --war option, hence the setters (DESIGN.md B1).
 */
public class HawtioLauncher {
    public static void main(String[] args) throws Exception {
        String war = args.length > 0 ? args[0] : "infra/hawtio/target/hawtio.war";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8090;
        Main main = new Main();
        main.setWar(war);
        main.setPort(port);
        main.setHost("127.0.0.1");
        main.setContextPath("/hawtio");
        main.setOpenUrl(false);
        main.setJointServerThread(true);
        main.run();
    }
}
