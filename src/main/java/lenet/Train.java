package lenet;

/** Main class of the module: trains LeNet ({@code tornado -m lenet/lenet.Train --params="..."}). */
public final class Train {
    private Train() {
    }

    public static void main(String[] args) {
        System.exit(lenet.cli.Cli.run("train", args));
    }
}
