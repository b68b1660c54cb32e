package lenet;

import lenet.cli.Cli;

/** Main class of the module: {@code lenet train} ({@code tornado -m lenet/lenet.Train --params="..."}). */
public final class Train {
    private Train() {
    }

    public static void main(String[] args) {
        String[] train = new String[args.length + 1];
        train[0] = "train";
        System.arraycopy(args, 0, train, 1, args.length);
        System.exit(Cli.run(train));
    }
}
