// saramacheck drives `wharf serve` with sarama (Debian's golang-github-shopify-sarama-dev,
// 1.22), the Go client whose record batches carry maxTimestamp -1. It creates a topic with
// small segments and a time retention, produces -count records of -size bytes, gives the
// broker's retention pass time to run, reads every record back with a partition consumer,
// then joins a consumer group and commits. It prints "OK ..." and exits 0, or says what
// failed and exits 1.
//
// Built in GOPATH mode from the Debian sources:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode:$TMP go build -o $TMP/saramacheck saramacheck.go
package main

import (
	"context"
	"encoding/binary"
	"flag"
	"log"
	"fmt"
	"os"
	"time"

	"github.com/Shopify/sarama"
)

var (
	brokers      = flag.String("brokers", "127.0.0.1:9092", "bootstrap address")
	topic        = flag.String("topic", "sarama", "topic to create and fill")
	count        = flag.Int("count", 1000000, "records to produce and read back")
	size         = flag.Int("size", 100, "value size in bytes (at least 8)")
	segmentBytes = flag.String("segment-bytes", "1048576", "the topic's segment.bytes")
	retentionMs  = flag.String("retention-ms", "3600000", "the topic's retention.ms")
	settle       = flag.Duration("settle", 1500*time.Millisecond, "wait after producing, so the broker's retention pass (every second) runs")
	group        = flag.String("group", "sarama-group", "consumer group to join")
	groupRecords = flag.Int("group-records", 1000, "records the group member consumes and commits")
)

func die(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "saramacheck: "+format+"\n", args...)
	os.Exit(1)
}

func config() *sarama.Config {
	c := sarama.NewConfig()
	c.ClientID = "saramacheck"
	c.Version = sarama.V2_1_0_0
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Return.Successes = true
	c.Producer.Return.Errors = true
	c.Producer.Partitioner = sarama.NewManualPartitioner
	c.Producer.Flush.Bytes = 512 << 10
	c.Producer.Flush.Frequency = 5 * time.Millisecond
	c.ChannelBufferSize = 4096
	c.Consumer.Return.Errors = true
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	return c
}

func createTopic(cfg *sarama.Config) {
	admin, err := sarama.NewClusterAdmin([]string{*brokers}, cfg)
	if err != nil {
		die("admin client: %v", err)
	}
	defer admin.Close()
	detail := &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1, ConfigEntries: map[string]*string{
		"segment.bytes": segmentBytes, "retention.ms": retentionMs,
	}}
	if err := admin.CreateTopic(*topic, detail, false); err != nil {
		die("create topic %s: %v", *topic, err)
	}
}

// produce sends -count records to partition 0; the value starts with its index (big-endian).
func produce(cfg *sarama.Config) {
	p, err := sarama.NewAsyncProducer([]string{*brokers}, cfg)
	if err != nil {
		die("producer: %v", err)
	}
	acked, failed := 0, 0
	var firstErr error
	onErr := func(e *sarama.ProducerError) {
		failed++
		if firstErr == nil {
			firstErr = e.Err
		}
	}
	for i := 0; i < *count; i++ {
		v := make([]byte, *size)
		binary.BigEndian.PutUint64(v, uint64(i))
		m := &sarama.ProducerMessage{Topic: *topic, Partition: 0, Value: sarama.ByteEncoder(v)}
		// Input is unbuffered: keep taking acknowledgements while it is busy (never a deadlock).
		for sent := false; !sent; {
			select {
			case p.Input() <- m:
				sent = true
			case <-p.Successes():
				acked++
			case e := <-p.Errors():
				onErr(e)
			}
		}
	}
	for timeout := time.After(60 * time.Second); acked+failed < *count; {
		select {
		case <-p.Successes():
			acked++
		case e := <-p.Errors():
			onErr(e)
		case <-timeout:
			die("produce: timed out with %d of %d acknowledged", acked, *count)
		}
	}
	_ = p.Close()
	if failed > 0 || acked != *count {
		die("produce: %d acknowledged, %d failed of %d (first error: %v)", acked, failed, *count, firstErr)
	}
}

// consumeAll reads partition 0 from the oldest offset: every record, in order, none missing.
func consumeAll(client sarama.Client) {
	oldest, err := client.GetOffset(*topic, 0, sarama.OffsetOldest)
	if err != nil {
		die("oldest offset: %v", err)
	}
	if oldest != 0 {
		die("log start is %d after producing: retention deleted acknowledged records", oldest)
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		die("consumer: %v", err)
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition(*topic, 0, sarama.OffsetOldest)
	if err != nil {
		die("consume partition: %v", err)
	}
	defer pc.Close()
	timeout := time.After(90 * time.Second)
	for next := int64(0); next < int64(*count); next++ {
		select {
		case m := <-pc.Messages():
			if m.Offset != next {
				die("expected offset %d, got %d", next, m.Offset)
			}
			if len(m.Value) != *size || binary.BigEndian.Uint64(m.Value) != uint64(next) {
				die("record %d has the wrong value", next)
			}
			if m.Timestamp.IsZero() || m.Timestamp.Unix() < 1 {
				die("record %d has no timestamp", next)
			}
		case e := <-pc.Errors():
			die("consume at %d: %v", next, e.Err)
		case <-timeout:
			die("timed out after %d of %d records", next, *count)
		}
	}
}

// groupMember marks -group-records records as consumed, then stops (committing on close).
type groupMember struct {
	seen   int
	cancel context.CancelFunc
}

func (g *groupMember) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (g *groupMember) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (g *groupMember) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for m := range c.Messages() {
		s.MarkMessage(m, "")
		g.seen++
		if g.seen >= *groupRecords {
			g.cancel()
			return nil
		}
	}
	return nil
}

func joinGroup(cfg *sarama.Config) {
	cfg.Consumer.Offsets.CommitInterval = 100 * time.Millisecond
	// With Retention 0, sarama 1.22 commits with OffsetCommit v1, which Kafka 4 (KIP-896) and
	// Wharf no longer accept; a retention makes it use v2.
	cfg.Consumer.Offsets.Retention = 24 * time.Hour
	cg, err := sarama.NewConsumerGroup([]string{*brokers}, *group, cfg)
	if err != nil {
		die("consumer group: %v", err)
	}
	go func() {
		for err := range cg.Errors() {
			fmt.Fprintf(os.Stderr, "saramacheck: group error: %v\n", err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	member := &groupMember{cancel: cancel}
	for ctx.Err() == nil {
		if err := cg.Consume(ctx, []string{*topic}, member); err != nil {
			die("group consume: %v", err)
		}
	}
	if member.seen < *groupRecords {
		die("group member consumed %d of %d records", member.seen, *groupRecords)
	}
	if err := cg.Close(); err != nil {
		die("group close: %v", err)
	}
}

// committed is the group's committed offset for partition 0, read back with OffsetFetch.
func committed(client sarama.Client) int64 {
	coordinator, err := client.Coordinator(*group)
	if err != nil {
		die("coordinator: %v", err)
	}
	req := &sarama.OffsetFetchRequest{Version: 1, ConsumerGroup: *group}
	req.AddPartition(*topic, 0)
	resp, err := coordinator.FetchOffset(req)
	if err != nil {
		die("offset fetch: %v", err)
	}
	block := resp.GetBlock(*topic, 0)
	if block == nil || block.Err != sarama.ErrNoError {
		die("offset fetch: no committed offset for %s/0", *topic)
	}
	return block.Offset
}

func main() {
	flag.Parse()
	if os.Getenv("SARAMA_LOG") != "" {
		sarama.Logger = log.New(os.Stderr, "[sarama] ", log.Ltime|log.Lmicroseconds)
	}
	if *size < 8 {
		die("-size must be at least 8")
	}
	cfg := config()
	createTopic(cfg)
	start := time.Now()
	produce(cfg)
	produced := time.Since(start)
	time.Sleep(*settle)
	client, err := sarama.NewClient([]string{*brokers}, config())
	if err != nil {
		die("client: %v", err)
	}
	defer client.Close()
	consumeAll(client)
	joinGroup(config())
	offset := committed(client)
	if offset < int64(*groupRecords) {
		die("group %s committed %d, expected at least %d", *group, offset, *groupRecords)
	}
	fmt.Printf("OK sarama produced=%d in %v consumed=%d group=%s committed=%d\n", *count, produced.Round(time.Millisecond), *count, *group, offset)
}
