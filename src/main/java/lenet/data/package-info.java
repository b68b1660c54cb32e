/**
 * Fashion-MNIST: the IDX file reader ({@link lenet.data.Idx}), the in-memory data set
 * ({@link lenet.data.Dataset}), where the files are looked for ({@link lenet.data.FashionMnist})
 * and how they are downloaded and verified ({@link lenet.data.Fetcher}).
 *
 * <p>Every problem with a file surfaces as a {@link lenet.data.DataException} whose message is one
 * line naming the file and what is wrong with it.
 */
package lenet.data;
