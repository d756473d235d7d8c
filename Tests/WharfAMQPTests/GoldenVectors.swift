/// Golden byte vectors made with the azure-servicebus 7.15.0 SDK's own pyamqp encoder and
/// round-tripped through its decoder (`servicebus-vectors/vectors.py` in the shared reference;
/// regenerate with `pip install azure-servicebus==7.15.0 && python3 vectors.py`). Client -> broker
/// vectors are exactly what the SDK sends; broker vectors are encodings the SDK decodes correctly.
enum GoldenVectors {
    /// SASL protocol header  (8 bytes)
    static let saslHeader = hex(
        "41 4d 51 50 03 01 00 00 ")
    /// sasl-init ANONYMOUS (frame type 0x01)  (38 bytes)
    static let saslInit = hex(
        "00 00 00 26 02 01 00 00 00 53 41 c0 19 03 a3 09 41 4e 4f 4e 59 4d 4f 55 53 a0 00 a1 09 6c 6f 63 61 6c 68 6f " +
        "73 74 ")
    /// AMQP protocol header  (8 bytes)
    static let amqpHeader = hex(
        "41 4d 51 50 00 01 00 00 ")
    /// open  (141 bytes)
    static let open = hex(
        "00 00 00 8d 02 00 00 00 00 53 10 c0 80 0a a1 2f 53 42 52 65 63 65 69 76 65 72 2d 30 30 30 30 30 30 30 30 2d " +
        "30 30 30 30 2d 30 30 30 30 2d 30 30 30 30 2d 30 30 30 30 30 30 30 30 30 30 30 30 a1 09 6c 6f 63 61 6c 68 6f " +
        "73 74 70 00 10 00 00 60 ff ff 40 40 40 40 40 c1 34 04 a3 07 70 72 6f 64 75 63 74 a1 17 61 7a 73 64 6b 2d 70 " +
        "79 74 68 6f 6e 2d 73 65 72 76 69 63 65 62 75 73 a3 07 76 65 72 73 69 6f 6e a1 06 37 2e 31 35 2e 30 ")
    /// begin (channel 1)  (34 bytes)
    static let begin = hex(
        "00 00 00 22 02 00 00 01 00 53 11 c0 15 08 40 43 70 00 01 00 00 70 00 01 00 00 70 ff ff ff ff 40 40 40 ")
    /// attach $cbs response link (client=receiver)  (75 bytes)
    static let attachCbs = hex(
        "00 00 00 4b 02 00 00 01 00 53 12 c0 3e 0e a1 04 61 31 62 32 52 01 56 01 50 00 50 00 00 53 28 c0 11 0b a1 04 " +
        "24 63 62 73 40 40 40 40 40 40 40 40 40 40 00 53 29 c0 0d 07 a1 04 24 63 62 73 40 40 40 40 40 40 40 40 40 40 " +
        "40 40 40 ")
    /// put-token message payload (transfer payload on $cbs sender link)  (255 bytes)
    static let putToken = hex(
        "00 53 73 c0 1e 0d 98 11 11 11 11 22 22 33 33 44 44 55 55 55 55 55 55 40 40 40 40 40 40 40 40 40 40 40 40 00 " +
        "53 74 c1 6c 08 a1 04 6e 61 6d 65 a1 11 73 62 3a 2f 2f 6c 6f 63 61 6c 68 6f 73 74 2f 71 31 a1 09 6f 70 65 72 " +
        "61 74 69 6f 6e a1 09 70 75 74 2d 74 6f 6b 65 6e a1 04 74 79 70 65 a1 1f 73 65 72 76 69 63 65 62 75 73 2e 77 " +
        "69 6e 64 6f 77 73 2e 6e 65 74 3a 73 61 73 74 6f 6b 65 6e a1 0a 65 78 70 69 72 61 74 69 6f 6e 83 00 00 01 8b " +
        "cf e5 68 00 00 53 77 a1 66 53 68 61 72 65 64 41 63 63 65 73 73 53 69 67 6e 61 74 75 72 65 20 73 72 3d 73 62 " +
        "25 33 41 25 32 46 25 32 46 6c 6f 63 61 6c 68 6f 73 74 25 32 46 71 31 26 73 69 67 3d 58 58 58 26 73 65 3d 31 " +
        "37 30 30 30 30 30 30 30 30 26 73 6b 6e 3d 52 6f 6f 74 4d 61 6e 61 67 65 53 68 61 72 65 64 41 63 63 65 73 73 " +
        "4b 65 79 ")
    /// attach receiver link PEEK_LOCK (snd-settle=unsettled(0), rcv-settle=second(1))  (154 bytes)
    static let attachReceiverPeekLock = hex(
        "00 00 00 9a 02 00 00 01 00 53 12 c0 8d 0e a1 02 72 31 52 03 56 01 50 00 50 01 00 53 28 c0 21 0b a1 14 61 6d " +
        "71 70 73 3a 2f 2f 6c 6f 63 61 6c 68 6f 73 74 2f 71 31 40 40 40 40 40 40 40 40 40 40 00 53 29 c0 19 07 a1 10 " +
        "72 65 63 65 69 76 65 72 2d 6c 69 6e 6b 2d 72 31 40 40 40 40 40 40 40 40 40 80 00 00 00 00 00 10 00 00 40 40 " +
        "c1 2c 02 a3 1b 63 6f 6d 2e 6d 69 63 72 6f 73 6f 66 74 3a 72 65 63 65 69 76 65 72 2d 6e 61 6d 65 a1 0c 53 42 " +
        "52 65 63 65 69 76 65 72 2d 78 ")
    /// attach session receiver NEXT_AVAILABLE (filter value null)  (172 bytes)
    static let attachSessionNextAvailable = hex(
        "00 00 00 ac 02 00 00 01 00 53 12 c0 9f 0e a1 02 72 32 52 03 56 01 50 00 50 01 00 53 28 c0 42 0b a1 14 61 6d " +
        "71 70 73 3a 2f 2f 6c 6f 63 61 6c 68 6f 73 74 2f 73 71 40 40 40 40 40 40 c1 20 02 a3 1c 63 6f 6d 2e 6d 69 63 " +
        "72 6f 73 6f 66 74 3a 73 65 73 73 69 6f 6e 2d 66 69 6c 74 65 72 40 40 40 40 00 53 29 c0 19 07 a1 10 72 65 63 " +
        "65 69 76 65 72 2d 6c 69 6e 6b 2d 72 32 40 40 40 40 40 40 40 40 40 80 00 00 00 00 00 10 00 00 40 40 c1 1d 02 " +
        "a3 15 63 6f 6d 2e 6d 69 63 72 6f 73 6f 66 74 3a 74 69 6d 65 6f 75 74 70 00 00 fd d4 ")
    /// attach session receiver for session 'S1' (filter value = plain string)  (145 bytes)
    static let attachSessionS1 = hex(
        "00 00 00 91 02 00 00 01 00 53 12 c0 84 0e a1 02 72 33 52 03 56 01 50 00 50 01 00 53 28 c0 45 0b a1 14 61 6d " +
        "71 70 73 3a 2f 2f 6c 6f 63 61 6c 68 6f 73 74 2f 73 71 40 40 40 40 40 40 c1 23 02 a3 1c 63 6f 6d 2e 6d 69 63 " +
        "72 6f 73 6f 66 74 3a 73 65 73 73 69 6f 6e 2d 66 69 6c 74 65 72 a1 02 53 31 40 40 40 00 53 29 c0 19 07 a1 10 " +
        "72 65 63 65 69 76 65 72 2d 6c 69 6e 6b 2d 72 33 40 40 40 40 40 40 40 40 40 80 00 00 00 00 00 10 00 00 40 40 " +
        "40 ")
    /// attach sender link (rcv-settle-mode second is what pyamqp sends)  (99 bytes)
    static let attachSender = hex(
        "00 00 00 63 02 00 00 01 00 53 12 c0 56 0e a1 02 73 31 52 03 56 00 50 00 50 01 00 53 28 c0 1b 0b a1 0e 73 65 " +
        "6e 64 65 72 2d 6c 69 6e 6b 2d 73 31 40 40 40 40 40 40 40 40 40 40 00 53 29 c0 1d 07 a1 14 61 6d 71 70 73 3a " +
        "2f 2f 6c 6f 63 61 6c 68 6f 73 74 2f 71 31 40 40 40 40 40 40 40 40 43 44 40 40 40 ")
    /// flow link-credit=1 on handle 3  (35 bytes)
    static let flow = hex(
        "00 00 00 23 02 00 00 01 00 53 13 c0 16 0b 43 70 00 01 00 00 43 70 00 01 00 00 52 03 43 52 01 40 40 40 40 ")
    /// ServiceBusMessage payload (header+annotations+properties+app-props+data)  (149 bytes)
    static let serviceBusMessage = hex(
        "00 53 70 c0 0a 05 40 40 70 00 00 ea 60 40 40 00 53 72 c1 41 04 a3 1c 78 2d 6f 70 74 2d 73 63 68 65 64 75 6c " +
        "65 64 2d 65 6e 71 75 65 75 65 2d 74 69 6d 65 83 00 00 01 8b cf e6 04 40 a3 13 78 2d 6f 70 74 2d 70 61 72 74 " +
        "69 74 69 6f 6e 2d 6b 65 79 a1 02 53 31 00 53 73 c0 25 0d a1 03 6d 2d 31 40 40 40 40 40 40 40 83 00 00 01 8b " +
        "cf e6 52 60 83 00 00 01 8b cf e5 68 00 a1 02 53 31 40 40 00 53 74 c1 07 02 a1 01 6b a1 01 76 00 53 75 a0 05 " +
        "68 65 6c 6c 6f ")
    /// transfer (client sender, message-format 0)  (182 bytes)
    static let transfer = hex(
        "00 00 00 b6 02 00 00 01 00 53 14 c0 14 0b 52 03 43 a0 04 00 00 00 01 43 56 00 56 00 40 40 40 40 40 00 53 70 " +
        "c0 0a 05 40 40 70 00 00 ea 60 40 40 00 53 72 c1 41 04 a3 1c 78 2d 6f 70 74 2d 73 63 68 65 64 75 6c 65 64 2d " +
        "65 6e 71 75 65 75 65 2d 74 69 6d 65 83 00 00 01 8b cf e6 04 40 a3 13 78 2d 6f 70 74 2d 70 61 72 74 69 74 69 " +
        "6f 6e 2d 6b 65 79 a1 02 53 31 00 53 73 c0 25 0d a1 03 6d 2d 31 40 40 40 40 40 40 40 83 00 00 01 8b cf e6 52 " +
        "60 83 00 00 01 8b cf e5 68 00 a1 02 53 31 40 40 00 53 74 c1 07 02 a1 01 6b a1 01 76 00 53 75 a0 05 68 65 6c " +
        "6c 6f ")
    /// batch envelope payload (message-format 0x80013700; each data section = one encoded message)  (334 bytes)
    static let batchEnvelope = hex(
        "00 53 73 c0 15 0d a1 03 6d 2d 31 40 40 40 40 40 40 40 40 40 a1 02 53 31 40 40 00 53 75 a0 95 00 53 70 c0 0a " +
        "05 40 40 70 00 00 ea 60 40 40 00 53 72 c1 41 04 a3 1c 78 2d 6f 70 74 2d 73 63 68 65 64 75 6c 65 64 2d 65 6e " +
        "71 75 65 75 65 2d 74 69 6d 65 83 00 00 01 8b cf e6 04 40 a3 13 78 2d 6f 70 74 2d 70 61 72 74 69 74 69 6f 6e " +
        "2d 6b 65 79 a1 02 53 31 00 53 73 c0 25 0d a1 03 6d 2d 31 40 40 40 40 40 40 40 83 00 00 01 8b cf e6 52 60 83 " +
        "00 00 01 8b cf e5 68 00 a1 02 53 31 40 40 00 53 74 c1 07 02 a1 01 6b a1 01 76 00 53 75 a0 05 68 65 6c 6c 6f " +
        "00 53 75 a0 95 00 53 70 c0 0a 05 40 40 70 00 00 ea 60 40 40 00 53 72 c1 41 04 a3 1c 78 2d 6f 70 74 2d 73 63 " +
        "68 65 64 75 6c 65 64 2d 65 6e 71 75 65 75 65 2d 74 69 6d 65 83 00 00 01 8b cf e6 04 40 a3 13 78 2d 6f 70 74 " +
        "2d 70 61 72 74 69 74 69 6f 6e 2d 6b 65 79 a1 02 53 31 00 53 73 c0 25 0d a1 03 6d 2d 31 40 40 40 40 40 40 40 " +
        "83 00 00 01 8b cf e6 52 60 83 00 00 01 8b cf e5 68 00 a1 02 53 31 40 40 00 53 74 c1 07 02 a1 01 6b a1 01 76 " +
        "00 53 75 a0 05 68 65 6c 6c 6f ")
    /// disposition complete (accepted, settled=false: 7.15 awaits broker echo)  (25 bytes)
    static let dispositionComplete = hex(
        "00 00 00 19 02 00 00 01 00 53 15 c0 0c 06 56 01 43 40 56 00 00 53 24 45 40 ")
    /// disposition abandon (modified delivery-failed=true undeliverable-here=false)  (32 bytes)
    static let dispositionAbandon = hex(
        "00 00 00 20 02 00 00 01 00 53 15 c0 13 06 56 01 43 40 56 00 00 53 27 c0 06 03 56 01 56 00 40 40 ")
    /// disposition defer (modified delivery-failed=true undeliverable-here=true)  (32 bytes)
    static let dispositionDefer = hex(
        "00 00 00 20 02 00 00 01 00 53 15 c0 13 06 56 01 43 40 56 00 00 53 27 c0 06 03 56 01 56 01 40 40 ")
    /// disposition dead-letter (rejected, error com.microsoft:dead-letter)  (126 bytes)
    static let dispositionDeadLetter = hex(
        "00 00 00 7e 02 00 00 01 00 53 15 c0 71 06 56 01 43 40 56 00 00 53 25 c0 64 01 00 53 1d c0 5e 03 a3 19 63 6f " +
        "6d 2e 6d 69 63 72 6f 73 6f 66 74 3a 64 65 61 64 2d 6c 65 74 74 65 72 a1 04 64 65 73 63 c1 3a 04 a3 10 44 65 " +
        "61 64 4c 65 74 74 65 72 52 65 61 73 6f 6e a1 03 77 68 79 a3 1a 44 65 61 64 4c 65 74 74 65 72 45 72 72 6f 72 " +
        "44 65 73 63 72 69 70 74 69 6f 6e a1 04 64 65 73 63 40 ")
    /// disposition released (pre-settled)  (25 bytes)
    static let dispositionReleased = hex(
        "00 00 00 19 02 00 00 01 00 53 15 c0 0c 06 56 01 43 40 56 01 00 53 26 45 40 ")
    /// mgmt request payload: com.microsoft:peek-message  (222 bytes)
    static let mgmtPeek = hex(
        "00 53 73 c0 2d 0d 98 11 11 11 11 22 22 33 33 44 44 55 55 55 55 55 55 40 40 40 a1 0e 71 31 2f 24 6d 61 6e 61 " +
        "67 65 6d 65 6e 74 40 40 40 40 40 40 40 40 00 53 74 c1 78 08 a1 14 61 73 73 6f 63 69 61 74 65 64 2d 6c 69 6e " +
        "6b 2d 6e 61 6d 65 a1 02 72 31 a1 1c 63 6f 6d 2e 6d 69 63 72 6f 73 6f 66 74 3a 73 65 72 76 65 72 2d 74 69 6d " +
        "65 6f 75 74 70 00 00 ea 60 a1 09 6f 70 65 72 61 74 69 6f 6e a1 1a 63 6f 6d 2e 6d 69 63 72 6f 73 6f 66 74 3a " +
        "70 65 65 6b 2d 6d 65 73 73 61 67 65 a1 04 74 79 70 65 a1 0b 65 6e 74 69 74 79 2d 6d 67 6d 74 00 53 77 c1 2a " +
        "04 a1 14 66 72 6f 6d 2d 73 65 71 75 65 6e 63 65 2d 6e 75 6d 62 65 72 55 01 a1 0d 6d 65 73 73 61 67 65 2d 63 " +
        "6f 75 6e 74 54 01 ")
    /// mgmt request payload: com.microsoft:renew-lock (lock-tokens = array of uuid, RFC byte order)  (151 bytes)
    static let mgmtRenewLock = hex(
        "00 53 73 c0 2d 0d 98 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 40 40 40 a1 0e 71 31 2f 24 6d 61 6e 61 " +
        "67 65 6d 65 6e 74 40 40 40 40 40 40 40 40 00 53 74 c1 39 04 a1 09 6f 70 65 72 61 74 69 6f 6e a1 18 63 6f 6d " +
        "2e 6d 69 63 72 6f 73 6f 66 74 3a 72 65 6e 65 77 2d 6c 6f 63 6b a1 04 74 79 70 65 a1 0b 65 6e 74 69 74 79 2d " +
        "6d 67 6d 74 00 53 77 c1 22 02 a1 0b 6c 6f 63 6b 2d 74 6f 6b 65 6e 73 e0 12 01 98 01 02 03 04 05 06 07 08 09 " +
        "0a 0b 0c 0d 0e 0f 10 ")
    /// sasl-mechanisms [ANONYMOUS, MSSBCBS, PLAIN] (array of sym8 is what a server should send)
    static let brokerSaslMechanisms = hex(
        "00 00 00 33 02 01 00 00 00 53 40 c0 26 01 e0 23 03 b3 00 00 00 09 41 4e 4f 4e 59 4d 4f 55 53 00 00 00 07 4d " +
        "53 53 42 43 42 53 00 00 00 05 50 4c 41 49 4e ")
    /// sasl-outcome ok
    static let brokerSaslOutcome = hex(
        "00 00 00 11 02 01 00 00 00 53 44 c0 04 02 50 00 40 ")
    /// broker attach reply for receiver link (role=sender, initial-delivery-count=0, source echoed verbatim)
    static let brokerAttachReply = hex(
        "00 00 00 bb 02 00 00 00 00 53 12 c0 ae 0e a1 02 72 32 43 56 00 50 00 50 01 00 53 28 c0 45 0b a1 14 61 6d 71 " +
        "70 73 3a 2f 2f 6c 6f 63 61 6c 68 6f 73 74 2f 73 71 40 40 40 40 40 40 c1 23 02 a3 1c 63 6f 6d 2e 6d 69 63 72 " +
        "6f 73 6f 66 74 3a 73 65 73 73 69 6f 6e 2d 66 69 6c 74 65 72 a1 02 53 31 40 40 40 00 53 29 c0 19 07 a1 10 72 " +
        "65 63 65 69 76 65 72 2d 6c 69 6e 6b 2d 72 32 40 40 40 40 40 40 40 40 43 80 00 00 00 00 00 04 00 00 40 40 c1 " +
        "2a 02 a3 1e 63 6f 6d 2e 6d 69 63 72 6f 73 6f 66 74 3a 6c 6f 63 6b 65 64 2d 75 6e 74 69 6c 2d 75 74 63 81 08 " +
        "db e5 6d f3 59 c6 00 ")
    /// broker disposition echo for dead-letter: rejected with no error (role=sender=false, settled=true)
    static let brokerEchoRejected = hex(
        "00 00 00 1c 02 00 00 00 00 53 15 c0 0f 06 56 00 43 43 56 01 00 53 25 c0 02 01 40 40 ")
    /// broker disposition echo for abandon/defer: modified
    static let brokerEchoModified = hex(
        "00 00 00 1e 02 00 00 00 00 53 15 c0 11 06 56 00 43 43 56 01 00 53 27 c0 04 03 40 40 40 40 ")
    /// broker disposition settling a sent message: accepted
    static let brokerAccepted = hex(
        "00 00 00 19 02 00 00 00 00 53 15 c0 0c 06 56 01 43 43 56 01 00 53 24 45 40 ")
    /// broker transfer with lock token as delivery-tag (bytes_le)
    static let brokerTransferLockToken = hex(
        "00 00 00 f1 02 00 00 00 00 53 14 c0 1f 0b 43 43 a0 10 3e 3c 0a 6d 0a 8f 9e 4b 9c 1e 2b 3c 4d 5e 6f 70 43 56 " +
        "00 56 00 40 40 40 40 40 00 53 70 c0 06 05 40 40 40 40 43 00 53 72 c1 55 06 a3 15 78 2d 6f 70 74 2d 73 65 71 " +
        "75 65 6e 63 65 2d 6e 75 6d 62 65 72 55 2a a3 13 78 2d 6f 70 74 2d 65 6e 71 75 65 75 65 64 2d 74 69 6d 65 83 " +
        "00 00 01 8b cf e5 68 00 a3 12 78 2d 6f 70 74 2d 6c 6f 63 6b 65 64 2d 75 6e 74 69 6c 83 00 00 01 8b cf e6 52 " +
        "60 00 53 73 c0 12 0d a1 03 6d 2d 31 40 40 40 40 40 40 40 40 40 40 40 40 00 53 74 c1 3a 04 a1 10 44 65 61 64 " +
        "4c 65 74 74 65 72 52 65 61 73 6f 6e a1 03 77 68 79 a1 1a 44 65 61 64 4c 65 74 74 65 72 45 72 72 6f 72 44 65 " +
        "73 63 72 69 70 74 69 6f 6e a1 04 64 65 73 63 00 53 75 a0 05 68 65 6c 6c 6f ")

    static func hex(_ s: String) -> [UInt8] {
        s.split(separator: " ").map { UInt8($0, radix: 16)! }
    }
}
